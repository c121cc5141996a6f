// SPDX-License-Identifier: GPL-3.0-or-later
#include "main_window.h"

#include "about_dialog.h"
#include "bridge/engine_controller.h"
#include "bridge/gallery_store.h"
#include "bridge/image_io.h"
#include "canvas/label_document.h"
#include "canvas/mask_canvas.h"
#include "canvas/mask_document.h"
#include "canvas/semantic_canvas.h"
#include "gallery/gallery_view.h"
#include "gallery/result_saver.h"
#include "i18n.h"
#include "panels/edit_panel.h"
#include "panels/model_picker.h"
#include "panels/paint_panel.h"
#include "panels/preview_view.h"
#include "panels/prompt_panel.h"
#include "panels/upscale_panel.h"
#include "settings_dialog.h"
#include "widgets/engine_status.h"
#include "widgets/job_queue_view.h"
#include "widgets/themed_icon.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QUndoGroup>

namespace ldm::ui {

MainWindow::MainWindow(bridge::EngineController* controller, bridge::GalleryStore* gallery,
                       QWidget* parent)
    : QMainWindow(parent)
    , m_controller(controller)
    , m_gallery(gallery)
    , m_settings(AppSettings::load())
    , m_tabs(new QTabWidget(this))
    , m_prompt(new PromptPanel(this))
    , m_paint(new PaintPanel(this))
    , m_undoGroup(new QUndoGroup(this))
    , m_edit(new EditPanel(m_undoGroup, this))
    , m_upscale(new UpscalePanel(this))
    , m_galleryView(new GalleryView(gallery, this))
    , m_jobsDock(new QDockWidget(tr("Jobs"), this))
    , m_status(new EngineStatus(this))
    , m_saver(new ResultSaver(gallery, this))
{
    initResources();
    setWindowTitle(tr("Latent Canvas"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/latent-canvas.svg")));
    setAcceptDrops(true);
    m_tabs->setDocumentMode(true);
    m_tabs->setIconSize(QSize(20, 20));
    m_tabs->addTab(m_prompt, themedIcon(QStringLiteral("prompt")), tr("Prompt"));
    m_tabs->addTab(m_paint, themedIcon(QStringLiteral("paint")), tr("Paint"));
    m_tabs->addTab(m_edit, themedIcon(QStringLiteral("edit")), tr("Edit"));
    m_tabs->addTab(m_upscale, themedIcon(QStringLiteral("upscale")), tr("Upscale"));
    m_tabs->addTab(m_galleryView, themedIcon(QStringLiteral("gallery")), tr("Gallery"));
    setCentralWidget(m_tabs);

    m_jobsDock->setObjectName(QStringLiteral("jobsDock"));
    m_jobsDock->setWidget(new JobQueueView(controller, m_jobsDock));
    m_jobsDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
                            QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::BottomDockWidgetArea, m_jobsDock);
    statusBar()->addPermanentWidget(m_status);

    createActions();
    createMenus();
    connectController();
    connect(m_paint, &PaintPanel::statusMessage, this, &MainWindow::showStatus);
    connect(m_upscale, &UpscalePanel::statusMessage, this, &MainWindow::showStatus);
    connect(m_galleryView, &GalleryView::statusMessage, this, &MainWindow::showStatus);
    connect(m_galleryView, &GalleryView::restoreRequested, this, &MainWindow::restoreRecipe);
    connectEdit();
    connect(m_saver, &ResultSaver::saved, this, &MainWindow::onSaved);
    connect(m_saver, &ResultSaver::failed, this, &MainWindow::onSaveFailed);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateActions);
    restoreWindowState();
    updateActions();
}

MainWindow::~MainWindow() = default;

QList<MainWindow::Activity> MainWindow::activities()
{
    return {Activity::Prompt, Activity::Paint, Activity::Edit, Activity::Upscale,
            Activity::Gallery};
}

QString MainWindow::activityKey(Activity activity)
{
    switch (activity) {
    case Activity::Prompt:
        return QStringLiteral("prompt");
    case Activity::Paint:
        return QStringLiteral("paint");
    case Activity::Edit:
        return QStringLiteral("edit");
    case Activity::Upscale:
        return QStringLiteral("upscale");
    case Activity::Gallery:
        return QStringLiteral("gallery");
    }
    return {};
}

void MainWindow::showActivity(Activity activity)
{
    m_tabs->setCurrentIndex(static_cast<int>(activity));
}

void MainWindow::createActions()
{
    m_generate = new QAction(themedIcon(QStringLiteral("generate")), tr("&Generate"), this);
    m_generate->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_generate->setToolTip(tr("Generate (Ctrl+Enter)"));
    connect(m_generate, &QAction::triggered, this, &MainWindow::generate);
    m_cancel = new QAction(themedIcon(QStringLiteral("cancel")), tr("&Cancel"), this);
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    connect(m_cancel, &QAction::triggered, m_controller, &bridge::EngineController::cancelCurrent);
    m_cancelAll = new QAction(tr("Cancel &All Jobs"), this);
    m_cancelAll->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Escape));
    connect(m_cancelAll, &QAction::triggered, m_controller, &bridge::EngineController::cancelAll);
    for (QAction* action : {m_generate, m_cancel, m_cancelAll})
        addAction(action);
    m_prompt->setGenerateAction(m_generate);
    m_paint->setGenerateAction(m_generate);
    m_edit->setGenerateAction(m_generate);
    m_edit->setCancelAction(m_cancel);
    m_upscale->setGenerateAction(m_generate);

    // One Undo for every page: it follows the history of the page in front (activateUndo).
    m_undoGroup->addStack(m_paint->document()->undoStack());
    m_undo = m_undoGroup->createUndoAction(this, tr("&Undo"));
    m_undo->setShortcut(QKeySequence::Undo);
    m_redo = m_undoGroup->createRedoAction(this, tr("&Redo"));
    m_redo->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    m_copyResult = new QAction(tr("&Copy Result Image"), this);
    m_copyResult->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(m_copyResult, &QAction::triggered, this, [this] {
        const QImage image = m_tabs->currentWidget() == m_paint  ? m_paint->preview()->image()
                             : m_tabs->currentWidget() == m_edit ? m_edit->preview()->image()
                                                                 : m_prompt->preview()->image();
        if (!image.isNull())
            QApplication::clipboard()->setImage(image);
    });
    m_editResult = new QAction(themedIcon(QStringLiteral("edit")), tr("&Edit Result Image"), this);
    m_editResult->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(m_editResult, &QAction::triggered, this, &MainWindow::editCurrentResult);
    m_openCheckpoint = new QAction(tr("Open &Checkpoint…"), this);
    m_openCheckpoint->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(m_openCheckpoint, &QAction::triggered, this,
            [this] { currentPicker()->openCheckpoint(); });
    m_settingsAction = new QAction(tr("&Settings…"), this);
    m_settingsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::openSettings);
    m_quit = new QAction(tr("&Quit"), this);
    m_quit->setShortcut(QKeySequence::Quit);
    m_quit->setMenuRole(QAction::QuitRole);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);

    // View › Zoom acts on the canvas in front: the map (Paint) or the picture and mask (Edit).
    const auto onCanvas = [this](void (SemanticCanvas::*onMap)(), void (MaskCanvas::*onMask)()) {
        return [this, onMap, onMask] {
            if (m_tabs->currentWidget() == m_edit)
                (m_edit->canvas()->*onMask)();
            else if (m_tabs->currentWidget() == m_paint)
                (m_paint->canvas()->*onMap)();
        };
    };
    m_zoomIn = new QAction(tr("Zoom &In"), this);
    m_zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    connect(m_zoomIn, &QAction::triggered, this,
            onCanvas(&SemanticCanvas::zoomIn, &MaskCanvas::zoomIn));
    m_zoomOut = new QAction(tr("Zoom &Out"), this);
    m_zoomOut->setShortcut(QKeySequence::ZoomOut);
    connect(m_zoomOut, &QAction::triggered, this,
            onCanvas(&SemanticCanvas::zoomOut, &MaskCanvas::zoomOut));
    m_zoomFit = new QAction(tr("&Fit to Window"), this);
    m_zoomFit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(m_zoomFit, &QAction::triggered, this,
            onCanvas(&SemanticCanvas::fitToView, &MaskCanvas::fitToView));

    for (const Activity activity : activities()) {
        const int index = static_cast<int>(activity);
        auto* action = new QAction(m_tabs->tabIcon(index), m_tabs->tabText(index), this);
        action->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + index)));
        connect(action, &QAction::triggered, this, [this, activity] { showActivity(activity); });
        m_activityActions.append(action);
    }
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_paint->newMapAction());
    file->addAction(m_paint->openMapAction());
    file->addAction(m_paint->saveMapAction());
    file->addAction(m_paint->saveMapAsAction());
    file->addSeparator();
    file->addAction(m_edit->openImageAction());
    file->addSeparator();
    file->addAction(m_openCheckpoint);
    file->addSeparator();
    file->addAction(tr("&Import Gallery Zip…"), m_galleryView, &GalleryView::importArchive);
    file->addAction(tr("&Export Gallery Zip…"), m_galleryView, &GalleryView::exportAll);
    file->addSeparator();
    file->addAction(m_settingsAction);
    file->addSeparator();
    file->addAction(m_quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undo);
    edit->addAction(m_redo);
    edit->addSeparator();
    edit->addAction(m_copyResult);
    edit->addAction(m_editResult);

    QMenu* run = menuBar()->addMenu(tr("&Generate"));
    run->addAction(m_generate);
    run->addAction(m_cancel);
    run->addAction(m_cancelAll);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addActions(m_activityActions);
    view->addSeparator();
    view->addAction(m_zoomIn);
    view->addAction(m_zoomOut);
    view->addAction(m_zoomFit);
    view->addSeparator();
    QAction* jobs = m_jobsDock->toggleViewAction();
    jobs->setText(tr("&Job Queue"));
    jobs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_J));
    view->addAction(jobs);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Latent Canvas"), this, [this] {
        AboutDialog dialog(this);
        dialog.exec();
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::connectController()
{
    using bridge::EngineController;
    connect(m_controller, &EngineController::engineReady, m_status, &EngineStatus::setDevice);
    connect(m_controller, &EngineController::deviceChanged, m_status, &EngineStatus::setDevice);
    connect(m_controller, &EngineController::engineFailed, this, [this](const QString& message) {
        m_status->setNoEngine(message);
        showStatus(message);
    });
    if (!m_controller->deviceName().isEmpty())
        m_status->setDevice(m_controller->deviceName());
    else
        m_status->setNoEngine(m_controller->hasEngine() ? tr("The engine is starting…")
                                                        : tr("No engine available"));
    m_controller->setEngineOptions(m_settings.engineOptions());
    connect(m_controller, &EngineController::previewReady, this, &MainWindow::onPreview);
    connect(m_controller, &EngineController::progressChanged, this,
            [this](bridge::JobId, const bridge::ProgressInfo& p) { m_status->showProgress(p); });
    connect(m_controller, &EngineController::jobStarted, m_status, &EngineStatus::showWaiting);
    connect(m_controller, &EngineController::jobWarned, this,
            [this](bridge::JobId id, const QStringList& warnings) {
                m_jobWarnings.insert(id, warnings.join(QLatin1Char(' ')));
            });
    connect(m_controller, &EngineController::jobFinished, this, &MainWindow::onFinished);
    connect(m_controller, &EngineController::jobFailed, this, &MainWindow::onFailed);
    connect(m_controller, &EngineController::jobCancelled, this, &MainWindow::onCancelled);
    connect(m_controller, &EngineController::queueChanged, this, &MainWindow::updateActions);
    connectModels();
}

void MainWindow::updateActions()
{
    const bool gallery = m_tabs->currentWidget() == m_galleryView;
    // Upscale needs a loaded model that upscales; the other pages load theirs on Generate.
    const bool upscaleWithoutUpscaler =
        m_tabs->currentWidget() == m_upscale && !m_upscale->modelPicker()->canDoTask();
    m_generate->setEnabled(!gallery && !upscaleWithoutUpscaler);
    m_cancel->setEnabled(m_controller->currentJob() != 0);
    m_cancelAll->setEnabled(!m_controller->jobs().isEmpty());
    const bool canvas = m_tabs->currentWidget() == m_paint || m_tabs->currentWidget() == m_edit;
    for (QAction* action : {m_zoomIn, m_zoomOut, m_zoomFit})
        action->setEnabled(canvas);
    if (m_controller->currentJob() == 0)
        m_status->clearProgress();
}

void MainWindow::showStatus(const QString& text)
{
    statusBar()->showMessage(text, 6000);
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(m_settings, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const AppSettings updated = dialog.settings();
    const bool languageChanged = updated.language != m_settings.language;
    m_settings = updated;
    m_settings.save();
    m_controller->setEngineOptions(m_settings.engineOptions());
    if (languageChanged)
        QMessageBox::information(this, tr("Language"),
                                 tr("The new language applies the next time Latent Canvas "
                                    "starts."));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    openFile(urls.first().toLocalFile());
}

void MainWindow::restoreWindowState()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1280, 820);
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray()))
        resizeDocks({m_jobsDock}, {120}, Qt::Vertical); // a strip, not a quarter of the window
    m_tabs->setCurrentIndex(settings.value(QStringLiteral("window/activity"), 0).toInt());
    settings.beginGroup(QStringLiteral("prompt"));
    m_prompt->restoreState(settings);
    settings.endGroup();
    settings.beginGroup(QStringLiteral("paint"));
    m_paint->restoreState(settings);
    settings.endGroup();
    settings.beginGroup(QStringLiteral("upscale"));
    m_upscale->restoreState(settings);
    settings.endGroup();
    settings.beginGroup(QStringLiteral("edit"));
    m_edit->restoreState(settings);
    settings.endGroup();
}

void MainWindow::saveWindowState() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/activity"), m_tabs->currentIndex());
    settings.beginGroup(QStringLiteral("prompt"));
    m_prompt->saveState(settings);
    settings.endGroup();
    settings.beginGroup(QStringLiteral("paint"));
    m_paint->saveState(settings);
    settings.endGroup();
    settings.beginGroup(QStringLiteral("upscale"));
    m_upscale->saveState(settings);
    settings.endGroup();
    settings.beginGroup(QStringLiteral("edit"));
    m_edit->saveState(settings);
    settings.endGroup();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!m_paint->document()->undoStack()->isClean()) {
        const auto answer = QMessageBox::question(
            this, tr("Unsaved Map"), tr("The label map has unsaved changes. Save them first?"),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
        if (answer == QMessageBox::Save)
            m_paint->saveMapAction()->trigger();
        const bool saved = m_paint->document()->undoStack()->isClean();
        if (answer == QMessageBox::Cancel || (answer == QMessageBox::Save && !saved)) {
            event->ignore();
            return;
        }
    }
    saveWindowState();
    m_controller->cancelAll();
    m_saver->flush(); // pictures still being encoded reach the gallery before we quit
    event->accept();
}

} // namespace ldm::ui
