// SPDX-License-Identifier: GPL-3.0-or-later
#include "bridge/engine_controller.h"
#include "bridge/gallery_store.h"
#include "canvas/label_document.h"
#include "fake_engine.h"
#include "main_window.h"
#include "panels/paint_panel.h"
#include "panels/prompt_panel.h"

#include <QAction>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using ldm::ui::MainWindow;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void generatedPicturesLandInTheGallery()
    {
        QTemporaryDir dir;
        auto state = std::make_shared<ldm::test::FakeEngineState>();
        state->steps = 5;
        ldm::bridge::EngineController controller;
        controller.setEngineFactory(
            [state] { return std::make_unique<ldm::test::FakeEngine>(state); });
        ldm::bridge::GalleryStore gallery(dir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.show();

        ldm::Recipe recipe;
        recipe.prompt = "a quiet lake";
        recipe.seed = 42;
        recipe.width = 64;
        recipe.height = 64;
        recipe.steps = 5;
        window.promptPanel()->applyRecipe(recipe); // fixed seed 42
        window.showActivity(MainWindow::Activity::Prompt);
        QSignalSpy changed(&gallery, &ldm::bridge::GalleryStore::changed);
        QVERIFY(QTest::qWaitFor([&] { return !controller.deviceName().isEmpty(); }, 5000));
        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return gallery.items().size() == 1; }, 10000));
        const auto& item = gallery.items().first();
        QCOMPARE(item.recipe.seed, 42ULL);
        QCOMPARE(item.recipe.prompt, std::string("a quiet lake"));
        QCOMPARE(item.recipe.task, std::string("txt2img"));
        QCOMPARE(item.recipe.width, 64);
    }

    void paintJobCarriesTheMapAndItsHash()
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
        window.paintPanel()->document()->newMap(QSize(64, 48), 7);
        window.showActivity(MainWindow::Activity::Paint);
        QVERIFY(QTest::qWaitFor([&] { return !controller.deviceName().isEmpty(); }, 5000));
        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return gallery.items().size() == 1; }, 10000));
        const auto& item = gallery.items().first();
        QCOMPARE(item.recipe.task, std::string("paint"));
        QCOMPARE(item.recipe.width, 64);
        QCOMPARE(item.recipe.height, 48);
        QCOMPARE(item.recipe.mapHash.size(), size_t(10));
        QVERIFY(!item.mapFile.isEmpty());
        const QImage map(gallery.absolutePath(item.mapFile));
        QCOMPARE(map.pixelIndex(10, 10), 7);
    }

    void restoreRecipeFromGalleryFillsPaint()
    {
        QTemporaryDir dir;
        ldm::bridge::EngineController controller; // no engine attached
        ldm::bridge::GalleryStore gallery(dir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        QVERIFY(!controller.hasEngine());
        window.showActivity(MainWindow::Activity::Gallery);
        QList<QAction*> actions = window.findChildren<QAction*>();
        const auto generate = std::find_if(actions.begin(), actions.end(), [](QAction* a) {
            return a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Return);
        });
        QVERIFY(generate != actions.end());
        QVERIFY(!(*generate)->isEnabled()); // nothing to generate from the gallery
        window.showActivity(MainWindow::Activity::Paint);
        QVERIFY((*generate)->isEnabled());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
