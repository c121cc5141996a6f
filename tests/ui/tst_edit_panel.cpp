// SPDX-License-Identifier: GPL-3.0-or-later
// The Edit page: a mask painted with the mouse reaches the engine as the request's mask, with
// the mode and strength chosen; strokes undo and redo one at a time; results keep their input
// and mask in the gallery and come back with "Restore Settings".
#include "bridge/engine_controller.h"
#include "bridge/gallery_store.h"
#include "canvas/mask_canvas.h"
#include "canvas/mask_document.h"
#include "canvas/mask_ops.h"
#include "canvas/mask_toolbar.h"
#include "fake_engine.h"
#include "gallery/gallery_view.h"
#include "main_window.h"
#include "panels/edit_panel.h"
#include "settings_dialog.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QTimer>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <algorithm>
#include <cstring>

using ldm::ui::EditPanel;
using ldm::ui::MainWindow;
using ldm::ui::MaskCanvas;
namespace mask = ldm::ui::mask;

namespace {

QImage gradient(QSize size)
{
    QImage image(size, QImage::Format_RGB888);
    for (int y = 0; y < size.height(); ++y) {
        for (int x = 0; x < size.width(); ++x)
            image.setPixelColor(x, y, QColor(x * 4 % 256, y * 5 % 256, (x + y) % 256));
    }
    return image;
}

// One left-button drag from image pixel `from` to `to`, through the canvas's mouse handlers.
void drag(MaskCanvas* canvas, QPoint from, QPoint to)
{
    const auto at = [canvas](QPoint p) {
        return canvas->widgetPos(QPointF(p) + QPointF(0.5, 0.5)).toPoint();
    };
    QTest::mousePress(canvas, Qt::LeftButton, {}, at(from));
    QTest::mouseMove(canvas, at((from + to) / 2));
    QTest::mouseMove(canvas, at(to));
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, at(to));
}

ldm::bridge::GenerateRequest lastRequest(ldm::test::FakeEngineState& state)
{
    const std::lock_guard<std::mutex> lock(state.requestMutex);
    return state.lastRequest;
}

} // namespace

class TestEditPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void paintedMaskModeAndStrengthReachTheEngine()
    {
        QTemporaryDir dir;
        auto state = std::make_shared<ldm::test::FakeEngineState>();
        state->steps = 3;
        ldm::bridge::EngineController controller;
        controller.setEngineFactory(
            [state] { return std::make_unique<ldm::test::FakeEngine>(state); });
        ldm::bridge::GalleryStore gallery(dir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.resize(1300, 850);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showActivity(MainWindow::Activity::Edit);
        QVERIFY(QTest::qWaitFor([&] { return !controller.deviceName().isEmpty(); }, 5000));

        EditPanel* panel = window.editPanel();
        const QImage picture = gradient(QSize(64, 48));
        QVERIFY(panel->setPicture(picture, QStringLiteral("gradient")));
        panel->setMode(EditPanel::Mode::Inpaint);
        panel->setStrength(0.8);
        panel->setFeather(0);
        panel->toolBar()->brushSizeBox()->setValue(8);
        panel->canvas()->setTool(MaskCanvas::Tool::Brush);
        panel->canvas()->fitToView();
        QVERIFY(!panel->problem().isEmpty()); // nothing painted yet
        drag(panel->canvas(), QPoint(8, 12), QPoint(40, 12));
        QCOMPARE(panel->document()->maskAt(QPoint(24, 12)), int(mask::Filled));
        QCOMPARE(panel->document()->maskAt(QPoint(24, 40)), int(mask::Kept));
        QCOMPARE(panel->problem(), QString());

        // View › Zoom acts on the canvas in front, here the mask canvas.
        QAction* zoomIn = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text() == MainWindow::tr("Zoom &In"))
                zoomIn = action;
        QVERIFY(zoomIn && zoomIn->isEnabled());
        const double zoomBefore = panel->canvas()->zoom();
        zoomIn->trigger();
        QVERIFY(panel->canvas()->zoom() > zoomBefore);
        panel->canvas()->fitToView();

        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return gallery.items().size() == 1; }, 10000));
        ldm::bridge::GenerateRequest request = lastRequest(*state);
        QCOMPARE(request.recipe.task, std::string("inpaint"));
        QCOMPARE(request.recipe.strength, 0.8);
        // The Settings dialog's LoRA and embeddings folders travel with every job.
        QVERIFY(!request.loraFolder.isEmpty());
        QCOMPARE(request.loraFolder, ldm::ui::AppSettings::load().loraFolder);
        QCOMPARE(request.embeddingsFolder, ldm::ui::AppSettings::load().embeddingsFolder);
        QCOMPARE(request.recipe.width, 64);
        QCOMPARE(request.recipe.height, 48);
        QCOMPARE(request.inputImage.convertToFormat(QImage::Format_RGB888), picture);
        QCOMPARE(request.mask.size(), picture.size());
        QCOMPARE(request.mask.convertToFormat(QImage::Format_Grayscale8),
                 panel->document()->mask());
        QVERIFY(qGray(request.mask.pixel(24, 12)) > 127);
        QCOMPARE(qGray(request.mask.pixel(24, 40)), 0);
        QVERIFY(request.recipe.maskHash.empty()); // only the engine fills hashes

        // The gallery keeps the input and mask; restoring brings back picture, mask, settings.
        const auto& item = gallery.items().first();
        QCOMPARE(item.recipe.task, std::string("inpaint"));
        QVERIFY(!item.inputFile.isEmpty());
        QVERIFY(!item.maskFile.isEmpty());
        const QImage paintedMask = panel->document()->mask();
        QVERIFY(panel->setPicture(gradient(QSize(32, 32)), QStringLiteral("other")));
        panel->setMode(EditPanel::Mode::ImageToImage);
        panel->setFeather(6);
        auto* galleryView = window.findChild<ldm::ui::GalleryView*>();
        QVERIFY(galleryView);
        window.showActivity(MainWindow::Activity::Gallery);
        galleryView->selectId(item.id);
        const auto buttons = galleryView->findChildren<QPushButton*>();
        const auto restore = std::find_if(buttons.begin(), buttons.end(), [](QPushButton* b) {
            return b->text() == QStringLiteral("Restore Settings");
        });
        QVERIFY(restore != buttons.end());
        (*restore)->click();
        QCOMPARE(panel->mode(), EditPanel::Mode::Inpaint);
        QCOMPARE(panel->strength(), 0.8);
        QCOMPARE(panel->feather(), 0);
        QCOMPARE(panel->document()->picture(), picture);
        QCOMPARE(panel->document()->mask(), paintedMask);

        // Image to image: no mask, its own strength.
        window.showActivity(MainWindow::Activity::Edit);
        panel->setMode(EditPanel::Mode::ImageToImage);
        panel->setStrength(0.35);
        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return gallery.items().size() == 2; }, 10000));
        request = lastRequest(*state);
        QCOMPARE(request.recipe.task, std::string("img2img"));
        QCOMPARE(request.recipe.strength, 0.35);
        QVERIFY(request.mask.isNull());
        QCOMPARE(request.inputImage.convertToFormat(QImage::Format_RGB888), picture);

        // Outpaint: the engine's own task, with the growth per side; the canvas shows the
        // grown picture (edges extended) and the new strip as its mask.
        panel->setMode(EditPanel::Mode::Outpaint);
        panel->setOutpaint(16, true, false, false, false);
        QCOMPARE(panel->activeDocument()->size(), QSize(80, 48));
        const QImage grown = panel->activeDocument()->picture();
        const QImage grownMask = panel->activeDocument()->mask();
        for (int y : {0, 20, 47}) {
            QCOMPARE(int(grownMask.constScanLine(y)[0]), 255);
            QCOMPARE(int(grownMask.constScanLine(y)[15]), 255);
            QCOMPARE(int(grownMask.constScanLine(y)[16]), 0);
            QCOMPARE(grown.pixelColor(3, y), picture.pixelColor(0, y));
            QCOMPARE(grown.pixelColor(16 + 30, y), picture.pixelColor(30, y));
        }
        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return gallery.items().size() == 3; }, 10000));
        request = lastRequest(*state);
        QCOMPARE(request.recipe.task, std::string("outpaint"));
        QCOMPARE(request.inputImage.convertToFormat(QImage::Format_RGB888), picture);
        QVERIFY(request.mask.isNull());
        QCOMPARE(request.recipe.growth.left, 16);
        QCOMPARE(request.recipe.growth.right, 0);
        QCOMPARE(request.recipe.growth.top, 0);
        QCOMPARE(request.recipe.width, 80);

        // Restoring the outpaint brings back the mode, the growth and the picture.
        panel->setMode(EditPanel::Mode::Inpaint);
        panel->setOutpaint(64, false, true, false, true);
        window.showActivity(MainWindow::Activity::Gallery);
        galleryView->selectId(gallery.items().last().id);
        (*restore)->click();
        QCOMPARE(panel->mode(), EditPanel::Mode::Outpaint);
        QCOMPARE(panel->outpaintMargins().left, 16);
        QCOMPARE(panel->outpaintMargins().bottom, 0);
        QCOMPARE(panel->document()->picture(), picture);
    }

    void strokesUndoAndRedoOneAtATime()
    {
        EditPanel panel;
        panel.resize(1100, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QImage picture = gradient(QSize(64, 64));
        QVERIFY(panel.setPicture(picture, QStringLiteral("gradient")));
        panel.toolBar()->brushSizeBox()->setValue(10);
        panel.canvas()->fitToView();
        QUndoStack* stack = panel.document()->undoStack();
        QCOMPARE(stack->count(), 0);

        drag(panel.canvas(), QPoint(10, 30), QPoint(50, 30));
        QCOMPARE(stack->count(), 1); // one stroke, one step, however many mouse moves
        const QImage afterStroke = panel.document()->mask();
        QCOMPARE(panel.document()->maskAt(QPoint(30, 30)), int(mask::Filled));
        // The overlay tints the painted pixels only.
        QVERIFY(panel.canvas()->display().pixel(30, 30) != picture.pixel(30, 30));
        QCOMPARE(panel.canvas()->display().pixel(30, 5), picture.pixel(30, 5));

        panel.toolBar()->undoAction()->trigger();
        QVERIFY(!mask::anyFilled(panel.document()->mask()));
        QCOMPARE(panel.canvas()->display().pixel(30, 30), picture.pixel(30, 30));
        panel.toolBar()->redoAction()->trigger();
        QCOMPARE(panel.document()->mask(), afterStroke);

        // An eraser stroke and an invert are one step each, undone in order.
        panel.canvas()->setTool(MaskCanvas::Tool::Eraser);
        drag(panel.canvas(), QPoint(30, 20), QPoint(30, 40));
        QCOMPARE(stack->count(), 2);
        QCOMPARE(panel.document()->maskAt(QPoint(30, 30)), int(mask::Kept));
        panel.toolBar()->invertAction()->trigger();
        QCOMPARE(stack->count(), 3);
        QCOMPARE(panel.document()->maskAt(QPoint(30, 5)), int(mask::Filled));
        stack->undo();
        stack->undo();
        QCOMPARE(panel.document()->mask(), afterStroke);
    }

    void masksSaveAndLoadAsFiles()
    {
        EditPanel panel;
        QTemporaryDir dir;
        const QString saved = dir.filePath(QStringLiteral("saved.png"));
        QVERIFY(panel.setPicture(gradient(QSize(64, 48)), QStringLiteral("gradient")));
        QImage painted = mask::blank(QSize(64, 48));
        for (int y = 10; y < 20; ++y)
            memset(painted.scanLine(y) + 5, mask::Filled, 30);
        panel.document()->replaceMask(painted, QStringLiteral("test"));
        QVERIFY(panel.saveMask(saved));
        QCOMPARE(QImage(saved).convertToFormat(QImage::Format_Grayscale8), painted);

        // Another tool's mask: RGBA, white strokes on black, half the picture's size.
        QImage other(QSize(32, 24), QImage::Format_ARGB32);
        other.fill(QColor(0, 0, 0, 255));
        for (int y = 12; y < 24; ++y)
            for (int x = 16; x < 32; ++x)
                other.setPixelColor(x, y, Qt::white);
        const QString foreign = dir.filePath(QStringLiteral("foreign.png"));
        QVERIFY(other.save(foreign));
        panel.document()->replaceMask(mask::blank(QSize(64, 48)), QStringLiteral("clear"));
        QUndoStack* stack = panel.document()->undoStack();
        const int steps = stack->count();
        QVERIFY(panel.loadMask(foreign));
        QCOMPARE(stack->count(), steps + 1); // one undo step
        QCOMPARE(panel.document()->mask().size(), QSize(64, 48));
        QCOMPARE(panel.document()->maskAt(QPoint(50, 40)), int(mask::Filled));
        QCOMPARE(panel.document()->maskAt(QPoint(10, 10)), int(mask::Kept));
        stack->undo();
        QVERIFY(!mask::anyFilled(panel.document()->mask()));
        const int before = stack->count();

        // A file that is not an image changes nothing (the message box is not waited for).
        const QString junk = dir.filePath(QStringLiteral("junk.png"));
        QFile file(junk);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a png");
        file.close();
        QTimer::singleShot(0, [] {
            if (QWidget* box = QApplication::activeModalWidget())
                box->close();
        });
        QVERIFY(!panel.loadMask(junk));
        QCOMPARE(stack->count(), before);
        QVERIFY(!mask::anyFilled(panel.document()->mask()));
    }

    void settingsDialogKeepsTheAddOnFolders()
    {
        ldm::ui::AppSettings settings;
        settings.loraFolder = QStringLiteral("/models/Lora");
        settings.embeddingsFolder = QStringLiteral("/models/embeddings");
        const ldm::ui::SettingsDialog dialog(settings);
        QCOMPARE(dialog.settings().loraFolder, settings.loraFolder);
        QCOMPARE(dialog.settings().embeddingsFolder, settings.embeddingsFolder);
    }

    void featherGrowsTheMaskWithASoftEdge()
    {
        QImage painted = mask::blank(QSize(64, 64));
        for (int y = 24; y < 40; ++y)
            memset(painted.scanLine(y) + 24, mask::Filled, 16);
        const QImage soft = mask::feathered(painted, 4);
        const auto at = [&soft](int x, int y) { return int(soft.constScanLine(y)[x]); };
        QCOMPARE(at(30, 30), 255);                    // inside
        QCOMPARE(at(39, 30), 255);                    // the painted edge keeps full strength
        QVERIFY(at(43, 30) > 96 && at(43, 30) < 160); // about half at the radius
        QCOMPARE(at(48, 30), 0);                      // nothing at twice the radius
        QCOMPARE(mask::feathered(painted, 0), painted);
    }
};

QTEST_MAIN(TestEditPanel)
#include "tst_edit_panel.moc"
