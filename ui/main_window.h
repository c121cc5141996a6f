// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app_settings.h"
#include "bridge/gallery_store.h"
#include "bridge/image_engine.h"

#include <QHash>
#include <QMap>
#include <QMainWindow>

class QAction;
class QDockWidget;
class QTabWidget;
class QUndoGroup;

namespace ldm::bridge {
class EngineController;
class GalleryStore;
} // namespace ldm::bridge

namespace ldm::ui {

class EditPanel;
class EngineStatus;
class GalleryView;
class ModelPicker;
class PaintPanel;
class PromptPanel;
class ResultSaver;
class UpscalePanel;

/// The main window: five activities (Prompt, Paint, Edit, Upscale, Gallery) in tabs, menus and
/// shortcuts, the job queue dock and the status bar. It turns panel settings into requests
/// for the EngineController and files finished pictures into the gallery.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum class Activity { Prompt, Paint, Edit, Upscale, Gallery };

    MainWindow(bridge::EngineController* controller, bridge::GalleryStore* gallery,
               QWidget* parent = nullptr);
    ~MainWindow() override;

    void showActivity(Activity activity);
    /// Untranslated names used for screenshot files ("prompt", "paint", ...).
    static QString activityKey(Activity activity);
    static QList<Activity> activities();

    PromptPanel* promptPanel() const { return m_prompt; }
    PaintPanel* paintPanel() const { return m_paint; }
    EditPanel* editPanel() const { return m_edit; }
    UpscalePanel* upscalePanel() const { return m_upscale; }

public Q_SLOTS:
    void generate();
    void openSettings();
    /// Handles a file dropped or passed on the command line, by current activity.
    void openFile(const QString& path);
    /// Opens a file by what it holds, whatever page is in front (a file given on the command
    /// line): a picture with settings restores them, a label map opens in Paint, another
    /// picture in Edit.
    void openFileByContent(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createMenus();
    void connectController();
    void restoreWindowState();
    void saveWindowState() const;
    void updateActions();
    void showStatus(const QString& text);
    void restoreRecipe(const Recipe& recipe, const QString& mapPath);
    bool ensureEngine();

    // main_window_edit.cpp
    void connectEdit();
    /// The page's undo history becomes the one Undo and Redo act on.
    void activateUndo();
    /// "Edit" on the current page's result: it opens on the Edit page with its recipe.
    void editCurrentResult();
    void editPicture(const QImage& picture, const Recipe& recipe);
    void restoreEdit(const Recipe& recipe, const QString& inputPath, const QString& maskPath);

    // main_window_models.cpp
    void connectModels();
    /// The picker of the current activity (the Prompt one on the Gallery page).
    ModelPicker* currentPicker() const;
    QList<ModelPicker*> pickers() const;
    /// Fills the pickers once the engine has listed its models.
    void listModels();
    /// Shows what the picker's model can do, loading it first when that is not known yet.
    /// A model that failed to load is tried again only when `retry` (the user chose it).
    void requestModelInfo(ModelPicker* picker, bool retry = false);
    void applyModel(ModelPicker* picker, const bridge::ModelDescription& model);
    void onModelLoaded(const bridge::ModelDescription& model);
    void onModelLoadFailed(const QString& key, const QString& message);

    // main_window_jobs.cpp
    QList<bridge::GenerateRequest> buildRequests(Activity activity);
    void submitRequests(Activity activity, const QList<bridge::GenerateRequest>& requests);
    void onPreview(bridge::JobId id, const QImage& image, int step, int total);
    void onFinished(bridge::JobId id, const QImage& image, const Recipe& recipe);
    void onSaved(const QString& id);
    void onSaveFailed(const QString& message);
    void onFailed(bridge::JobId id, const QString& message);
    void onCancelled(bridge::JobId id);
    void showResult(Activity activity, const QImage& image, const QString& caption);
    /// After a cancelled or failed job: the page shows its last finished picture again, not
    /// the noisy preview the job left.
    void showLastResult(Activity activity);
    /// After Restore Settings: the page shows the picture whose recipe was restored (found in
    /// the gallery, or `imagePath`).
    void showRestoredPicture(Activity activity, const Recipe& recipe,
                             const QString& imagePath = {});

    bridge::EngineController* m_controller;
    bridge::GalleryStore* m_gallery;
    AppSettings m_settings;
    QTabWidget* m_tabs;
    PromptPanel* m_prompt;
    PaintPanel* m_paint;
    QUndoGroup* m_undoGroup; ///< the undo histories of Paint and Edit; Undo follows the page
    EditPanel* m_edit;
    UpscalePanel* m_upscale;
    GalleryView* m_galleryView;
    QDockWidget* m_jobsDock;
    EngineStatus* m_status;
    ResultSaver* m_saver;
    QHash<bridge::JobId, Activity> m_jobActivity;
    /// The pictures each paint or edit job was made from (label map, input, mask).
    QHash<bridge::JobId, bridge::ItemSources> m_jobSources;
    QMap<Activity, Recipe> m_lastRecipes; ///< of the result each page shows, for "Edit"
    struct ShownResult
    {
        QImage image;
        QString caption;
    };
    QMap<Activity, ShownResult> m_lastResults; ///< each page's last finished or restored picture
    QHash<bridge::JobId, QString> m_jobWarnings; ///< what the engine said about a result

    QAction* m_generate = nullptr;
    QAction* m_cancel = nullptr;
    QAction* m_cancelAll = nullptr;
    QAction* m_undo = nullptr;
    QAction* m_redo = nullptr;
    QAction* m_copyResult = nullptr;
    QAction* m_editResult = nullptr;
    QAction* m_settingsAction = nullptr;
    QAction* m_quit = nullptr;
    QAction* m_openCheckpoint = nullptr;
    QAction* m_zoomIn = nullptr;
    QAction* m_zoomOut = nullptr;
    QAction* m_zoomFit = nullptr;
    QList<QAction*> m_activityActions;
};

} // namespace ldm::ui
