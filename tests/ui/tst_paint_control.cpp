// SPDX-License-Identifier: GPL-3.0-or-later
// Paint follows the model: its palette (landscape, COCO-Stuff for the 182-class release), a
// ControlNet for a Stable Diffusion model (ADE20K palette or strokes, the map as its hint),
// maps converted by class name; Upscale shows the x4 upscaler's prompt and noise fields. On a
// test double that describes the models (tests/ui/models_engine.h) and records the requests.
#include "bridge/engine_controller.h"
#include "bridge/gallery_store.h"
#include "bridge/palette_match.h"
#include "canvas/label_document.h"
#include "canvas/raster.h"
#include "canvas/semantic_canvas.h"
#include "gallery/gallery_view.h"
#include "main_window.h"
#include "models_engine.h"
#include "panels/control_net_box.h"
#include "panels/generation_settings.h"
#include "panels/model_picker.h"
#include "panels/paint_panel.h"
#include "panels/upscale_panel.h"
#include "panels/upscale_prompt_box.h"

#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using ldm::ui::MainWindow;
using ldm::ui::PaintPanel;

namespace {

// One left-button drag from image pixel `from` to `to`, through the canvas's mouse handlers.
void drag(ldm::ui::SemanticCanvas* canvas, QPoint from, QPoint to)
{
    const auto at = [canvas](QPoint p) {
        return canvas->widgetPos(QPointF(p) + QPointF(0.25, 0.25)).toPoint();
    };
    QTest::mousePress(canvas, Qt::LeftButton, {}, at(from));
    QTest::mouseMove(canvas, at((from + to) / 2));
    QTest::mouseMove(canvas, at(to));
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, at(to));
}

QColor classColor(const ldm::bridge::ClassPalette& palette, const QString& name)
{
    const auto* c = palette.byId(palette.idOfName(name));
    return c ? c->color : QColor();
}

void clickRestore(MainWindow& window, const QString& itemId)
{
    auto* view = window.findChild<ldm::ui::GalleryView*>();
    QVERIFY(view);
    window.showActivity(MainWindow::Activity::Gallery);
    view->selectId(itemId);
    const auto buttons = view->findChildren<QPushButton*>();
    const auto restore = std::find_if(buttons.begin(), buttons.end(), [](QPushButton* b) {
        return b->text() == QStringLiteral("Restore Settings");
    });
    QVERIFY(restore != buttons.end());
    (*restore)->click();
}

} // namespace

class TestPaintControl final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // ControlNet files are only chosen here, never read: empty files with telling names.
        for (const char* name : {"control_v11p_sd15_seg.safetensors",
                                 "control_v11p_sd15_scribble.pth", "control_other.safetensors"}) {
            QFile file(m_files.filePath(QLatin1String(name)));
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
    }

    void init()
    {
        QSettings().clear();
        m_state = std::make_shared<ldm::test::ModelsEngineState>();
        m_state->models = ldm::test::describedModels();
        m_controller = std::make_unique<ldm::bridge::EngineController>();
        auto state = m_state;
        m_controller->setEngineFactory(
            [state] { return std::make_unique<ldm::test::ModelsEngine>(state); });
        m_galleryDir = std::make_unique<QTemporaryDir>();
        m_gallery = std::make_unique<ldm::bridge::GalleryStore>(m_galleryDir->path());
        QVERIFY(m_gallery->load().ok());
        m_window = std::make_unique<MainWindow>(m_controller.get(), m_gallery.get());
        m_window->resize(1300, 850);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->showActivity(MainWindow::Activity::Paint);
        QVERIFY(QTest::qWaitFor([&] { return paint()->modelPicker()->model().isValid(); }, 5000));
    }

    void cleanup()
    {
        m_window.reset();
        m_gallery.reset();
        m_controller.reset();
    }

    void paletteFollowsTheModelAndConvertsTheMapByName()
    {
        PaintPanel* panel = paint();
        ldm::ui::LabelDocument* doc = panel->document();
        QCOMPARE(doc->palette().name(), QStringLiteral("landscape"));
        const auto id = [doc](const char* name) {
            return doc->palette().idOfName(QLatin1String(name));
        };
        doc->newMap(QSize(64, 48), id("sky"));
        doc->beginStroke();
        ldm::ui::raster::fillRect(doc->strokeImage(), QPoint(0, 32), QPoint(63, 47), id("forest"));
        ldm::ui::raster::fillRect(doc->strokeImage(), QPoint(0, 0), QPoint(15, 7), id("cloud"));
        ldm::ui::raster::fillRect(doc->strokeImage(), QPoint(40, 20), QPoint(63, 31), id("snow"));
        doc->touch(QRect(0, 0, 64, 48));
        doc->endStroke(QStringLiteral("landscape"));
        QSignalSpy messages(panel, &PaintPanel::statusMessage);

        // The 182-class release paints with COCO-Stuff's classes; the map keeps its meaning.
        QVERIFY(panel->modelPicker()->selectByName(QStringLiteral("semantic_synthesis")));
        QVERIFY(QTest::qWaitFor([&] { return doc->palette().classes().size() == 182; }, 5000));
        QCOMPARE(doc->palette().byId(doc->classAt(QPoint(5, 40)))->name, QStringLiteral("tree"));
        QCOMPARE(doc->palette().byId(doc->classAt(QPoint(5, 3)))->name, QStringLiteral("clouds"));
        QCOMPARE(doc->palette().byId(doc->classAt(QPoint(30, 10)))->name,
                 QStringLiteral("sky-other"));
        QVERIFY(lastMessage(messages).contains(QStringLiteral("forest → tree")));
        QVERIFY(panel->problem().isEmpty());

        // An SD-1.x model paints only through a ControlNet: offered, and asked for.
        QVERIFY(panel->modelPicker()->selectByName(QStringLiteral("sd15")));
        QVERIFY(QTest::qWaitFor([&] { return panel->modelPicker()->model().key == "sd15"; }, 5000));
        QVERIFY(panel->controlNet()->isVisibleTo(panel));
        QVERIFY(!panel->modelPicker()->statusText().contains(QStringLiteral("cannot")));
        QVERIFY(!panel->problem().isEmpty());
        QCOMPARE(doc->palette().classes().size(), 182); // kept until a ControlNet is chosen
        m_window->generate();
        QTest::qWait(200);
        QCOMPARE(m_state->runs, 0);

        // A segmentation ControlNet: ADE20K's palette; what it lacks is named.
        panel->controlNet()->setControlFile(file("control_v11p_sd15_seg.safetensors"));
        QCOMPARE(doc->palette().name(), QStringLiteral("ade20k"));
        QCOMPARE(doc->palette().byId(doc->classAt(QPoint(5, 40)))->name, QStringLiteral("tree"));
        QCOMPARE(doc->palette().byId(doc->classAt(QPoint(30, 10)))->name, QStringLiteral("sky"));
        const QString message = lastMessage(messages);
        QVERIFY2(message.contains(QStringLiteral("clouds")) &&
                     message.contains(QStringLiteral("snow")),
                 qPrintable(message));
        QCOMPARE(doc->palette().byId(doc->classAt(QPoint(5, 3)))->name, QStringLiteral("sky"));
        QVERIFY(panel->problem().isEmpty());

        // Back to our landscape model: its own palette again.
        QVERIFY(panel->modelPicker()->selectByName(QStringLiteral("landscape")));
        QVERIFY(QTest::qWaitFor([&] { return doc->palette().name() == "landscape"; }, 5000));
        QVERIFY(!panel->controlNet()->isVisibleTo(panel));
        QCOMPARE(doc->palette().byId(doc->classAt(QPoint(5, 40)))->name, QStringLiteral("forest"));
    }

    void controlNetRequestCarriesThePaintedMapAsItsHint()
    {
        PaintPanel* panel = paint();
        ldm::ui::LabelDocument* doc = panel->document();
        QVERIFY(panel->modelPicker()->selectByName(QStringLiteral("sd15")));
        QVERIFY(QTest::qWaitFor([&] { return panel->modelPicker()->model().key == "sd15"; }, 5000));
        panel->controlNet()->setControlFile(file("control_v11p_sd15_seg.safetensors"));
        const ldm::bridge::ClassPalette ade = doc->palette();
        QCOMPARE(ade.name(), QStringLiteral("ade20k"));
        doc->newMap(QSize(64, 48), ade.idOfName(QStringLiteral("sky")));
        panel->canvas()->fitToView();
        panel->canvas()->setCurrentClass(ade.idOfName(QStringLiteral("building")));
        drag(panel->canvas(), QPoint(8, 10), QPoint(56, 10));
        QCOMPARE(ade.byId(doc->classAt(QPoint(30, 10)))->name, QStringLiteral("building"));

        panel->controlNet()->setStrength(0.7);
        panel->controlNet()->setRange(0.1, 0.6);
        panel->controlNet()->setGuessMode(true);
        ldm::Recipe settings;
        settings.task = "paint";
        settings.prompt = "a house under a blue sky";
        settings.steps = 3;
        settings.seed = 9;
        panel->applyRecipe(settings);
        QCOMPARE(panel->prompt(), QStringLiteral("a house under a blue sky"));
        m_window->generate();
        QVERIFY(QTest::qWaitFor([&] { return m_gallery->items().size() == 1; }, 5000));
        const ldm::bridge::GenerateRequest request = m_state->last();
        QCOMPARE(request.recipe.task, std::string("paint"));
        QCOMPARE(request.model, QStringLiteral("sd15"));
        QCOMPARE(request.recipe.prompt, settings.prompt);
        QCOMPARE(request.controlNet, file("control_v11p_sd15_seg.safetensors"));
        QCOMPARE(request.recipe.control.strength, 0.7);
        QCOMPARE(request.recipe.control.start, 0.1);
        QCOMPARE(request.recipe.control.end, 0.6);
        QVERIFY(request.recipe.control.guessMode);
        QCOMPARE(request.recipe.width, 64);
        QCOMPARE(request.recipe.height, 48);
        // The hint is the map in ADE20K's colours, pixel for pixel.
        const QImage hint = request.controlHint.convertToFormat(QImage::Format_RGB888);
        QCOMPARE(hint.size(), QSize(64, 48));
        QCOMPARE(hint.pixelColor(30, 10), classColor(ade, QStringLiteral("building")));
        QCOMPARE(hint.pixelColor(30, 40), classColor(ade, QStringLiteral("sky")));
        for (int y = 0; y < 48; y += 3)
            for (int x = 0; x < 64; x += 3)
                QCOMPARE(hint.pixelColor(x, y), ade.byId(doc->classAt(QPoint(x, y)))->color);

        // The gallery restores the ControlNet, its settings and the map.
        const auto item = m_gallery->items().first();
        QCOMPARE(item.recipe.control.model, std::string("control_v11p_sd15_seg.safetensors"));
        const QImage painted = doc->ids();
        panel->controlNet()->setControlFile(file("control_other.safetensors"));
        panel->controlNet()->setStrength(1.5);
        panel->controlNet()->setRange(0.0, 1.0);
        panel->controlNet()->setGuessMode(false);
        doc->newMap(QSize(32, 32), ade.idOfName(QStringLiteral("wall")));
        QSignalSpy opened(panel, &PaintPanel::mapOpened);
        clickRestore(*m_window, item.id);
        QVERIFY(opened.wait(5000));
        QCOMPARE(panel->controlNet()->path(), file("control_v11p_sd15_seg.safetensors"));
        const ldm::ControlRecipe restored = panel->controlNet()->settings();
        QCOMPARE(restored.strength, 0.7);
        QCOMPARE(restored.start, 0.1);
        QCOMPARE(restored.end, 0.6);
        QVERIFY(restored.guessMode);
        QCOMPARE(doc->palette().name(), QStringLiteral("ade20k"));
        QCOMPARE(ldm::bridge::labelIds(doc->ids()), ldm::bridge::labelIds(painted));
    }

    void scribbleHintIsWhiteStrokesOnBlack()
    {
        PaintPanel* panel = paint();
        ldm::ui::LabelDocument* doc = panel->document();
        QVERIFY(panel->modelPicker()->selectByName(QStringLiteral("sd15")));
        QVERIFY(QTest::qWaitFor([&] { return panel->modelPicker()->model().key == "sd15"; }, 5000));
        panel->controlNet()->setControlFile(file("control_v11p_sd15_scribble.pth"));
        QCOMPARE(panel->controlNet()->kind(), ldm::ui::ControlNetBox::Kind::Scribble);
        QCOMPARE(doc->palette().name(), QString::fromLatin1(ldm::bridge::ScribblePaletteName));
        doc->newMap(QSize(64, 64), ldm::bridge::ScribblePaper);
        panel->canvas()->fitToView();
        // The palette picked the stroke class for the brush.
        drag(panel->canvas(), QPoint(10, 32), QPoint(54, 32));
        QCOMPARE(doc->classAt(QPoint(32, 32)), ldm::bridge::ScribbleStroke);
        // On screen black on white; the hint white on black.
        QCOMPARE(QColor(doc->ids().pixel(32, 32)), QColor(Qt::black));
        m_window->generate();
        QVERIFY(QTest::qWaitFor([&] { return m_state->runs == 1; }, 5000));
        const QImage hint = m_state->last().controlHint.convertToFormat(QImage::Format_RGB888);
        QCOMPARE(hint.pixelColor(32, 32), QColor(255, 255, 255));
        QCOMPARE(hint.pixelColor(32, 5), QColor(0, 0, 0));
        QCOMPARE(hint.pixelColor(5, 60), QColor(0, 0, 0));
    }

    void upscaleFieldsShowOnlyForTheX4Upscaler()
    {
        m_window->showActivity(MainWindow::Activity::Upscale);
        ldm::ui::UpscalePanel* panel = m_window->upscalePanel();
        ldm::ui::UpscalePromptBox* box = panel->promptBox();
        QVERIFY(
            QTest::qWaitFor([&] { return panel->modelPicker()->model().key == "bsr_sr"; }, 5000));
        QVERIFY(!box->isVisibleTo(panel));
        QVERIFY(panel->modelPicker()->selectByName(QStringLiteral("x4")));
        QVERIFY(QTest::qWaitFor([&] { return box->isVisibleTo(panel); }, 5000));
        QCOMPARE(box->noiseLevel(), 20); // the model's default
        auto* spin = box->findChild<QSpinBox*>();
        QCOMPARE(spin->maximum(), 350);

        QImage small(16, 12, QImage::Format_RGB888);
        small.fill(QColor(40, 90, 160));
        const QString input = m_files.filePath(QStringLiteral("small.png"));
        QVERIFY(small.save(input));
        QVERIFY(panel->openImage(input));
        const auto edits = box->findChildren<QLineEdit*>(QString(), Qt::FindDirectChildrenOnly);
        QCOMPARE(edits.size(), 2);
        QTest::keyClicks(edits[0], QStringLiteral("a cat on a sofa"));
        QTest::keyClicks(edits[1], QStringLiteral("blurry"));
        spin->setValue(60);
        m_window->generate();
        QVERIFY(QTest::qWaitFor([&] { return m_gallery->items().size() == 1; }, 5000));
        ldm::bridge::GenerateRequest request = m_state->last();
        QCOMPARE(request.recipe.task, std::string("upscale"));
        QCOMPARE(request.recipe.prompt, std::string("a cat on a sofa"));
        QCOMPARE(request.recipe.negativePrompt, std::string("blurry"));
        QCOMPARE(request.recipe.noiseLevel, 60);
        QCOMPARE(request.recipe.guidanceScale, ldm::ui::UpscalePromptBox::DefaultGuidance);
        QCOMPARE(request.recipe.width, 64);

        // Restored from the gallery.
        const auto item = m_gallery->items().first();
        edits[0]->clear();
        spin->setValue(5);
        clickRestore(*m_window, item.id);
        QCOMPARE(box->prompt(), QStringLiteral("a cat on a sofa"));
        QCOMPARE(box->negativePrompt(), QStringLiteral("blurry"));
        QCOMPARE(box->noiseLevel(), 60);

        // Another upscaler takes none of them.
        QVERIFY(panel->modelPicker()->selectByName(QStringLiteral("bsr_sr")));
        QVERIFY(QTest::qWaitFor([&] { return !box->isVisibleTo(panel); }, 5000));
        m_window->showActivity(MainWindow::Activity::Upscale);
        m_window->generate();
        QVERIFY(QTest::qWaitFor([&] { return m_gallery->items().size() == 2; }, 5000));
        request = m_state->last();
        QCOMPARE(request.recipe.noiseLevel, -1);
        QVERIFY(request.recipe.prompt.empty());
    }

private:
    PaintPanel* paint() const { return m_window->paintPanel(); }
    QString file(const char* name) const { return m_files.filePath(QLatin1String(name)); }
    static QString lastMessage(const QSignalSpy& spy)
    {
        return spy.isEmpty() ? QString() : spy.last().first().toString();
    }

    QTemporaryDir m_files;
    std::shared_ptr<ldm::test::ModelsEngineState> m_state;
    std::unique_ptr<ldm::bridge::EngineController> m_controller;
    std::unique_ptr<QTemporaryDir> m_galleryDir;
    std::unique_ptr<ldm::bridge::GalleryStore> m_gallery;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(TestPaintControl)
#include "tst_paint_control.moc"
