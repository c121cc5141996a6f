// SPDX-License-Identifier: GPL-3.0-or-later
// The whole app with the real engine: pick a model, paint, Generate, and a picture lands in
// the gallery; the GUI thread stays responsive while the engine works.
#include "bridge/engine_controller.h"
#include "bridge/gallery_store.h"
#include "bridge/ldm_image_engine.h"
#include "canvas/label_document.h"
#include "canvas/raster.h"
#include "main_window.h"
#include "panels/generation_settings.h"
#include "panels/model_picker.h"
#include "panels/paint_panel.h"
#include "panels/preview_view.h"
#include "tiny_model.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <vector>

using ldm::bridge::EngineController;
using ldm::ui::MainWindow;

class TestMainWindowEngine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(QDir(m_models.path()).mkpath(QStringLiteral("tiny")));
        const std::string error = ldm::test::writeTinyMapModel(
            m_models.filePath(QStringLiteral("tiny/model.safetensors")).toStdString());
        QVERIFY2(error.empty(), error.c_str());
        QFile broken(m_models.filePath(QStringLiteral("broken.safetensors")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a checkpoint");
    }

    void paintAndGenerateThroughTheRealEngine()
    {
        QTemporaryDir galleryDir;
        EngineController controller;
        attach(controller);
        ldm::bridge::GalleryStore gallery(galleryDir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.show();
        window.showActivity(MainWindow::Activity::Paint);
        ldm::ui::PaintPanel* paint = window.paintPanel();

        // The only shipped model is chosen and loaded; its three classes become the palette.
        QVERIFY(QTest::qWaitFor([&] { return paint->document()->palette().classes().size() == 3; },
                                60000));
        QCOMPARE(paint->modelPicker()->modelKey(), QStringLiteral("tiny"));
        QCOMPARE(paint->mapMultiple(), 8); // lcm(8, f4)
        QVERIFY(paint->modelPicker()->statusText().contains(QStringLiteral("3")));

        ldm::Recipe recipe;
        recipe.task = "paint";
        recipe.steps = 4;
        recipe.guidanceScale = 1.0;
        recipe.seed = 11;
        paint->applyRecipe(recipe);
        paint->document()->newMap(QSize(64, 48), 0);
        paint->document()->beginStroke();
        ldm::ui::raster::fillRect(paint->document()->strokeImage(), QPoint(0, 24), QPoint(63, 47),
                                  2);
        paint->document()->touch(QRect(0, 24, 64, 24));
        paint->document()->endStroke(QStringLiteral("grass"));

        QSignalSpy previews(&controller, &EngineController::previewReady);
        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return gallery.items().size() == 1; }, 90000));
        QVERIFY(!previews.isEmpty());
        const auto& item = gallery.items().first();
        QCOMPARE(item.recipe.task, std::string("paint"));
        QCOMPARE(item.recipe.modelName, std::string("tiny"));
        QCOMPARE(item.recipe.modelHash.size(), size_t(10));
        QCOMPARE(item.recipe.seed, 11ULL);
        QCOMPARE(item.recipe.width, 64);
        QCOMPARE(item.recipe.height, 48);
        const QImage map(gallery.absolutePath(item.mapFile));
        QCOMPARE(map.pixelIndex(5, 40), 2);
        QCOMPARE(paint->preview()->image().size(), QSize(64, 48));
    }

    void loadFailureShowsTheLoadersMessageInThePicker()
    {
        QTemporaryDir galleryDir;
        EngineController controller;
        attach(controller);
        ldm::bridge::GalleryStore gallery(galleryDir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.showActivity(MainWindow::Activity::Paint);
        QVERIFY(QTest::qWaitFor([&] { return !controller.deviceName().isEmpty(); }, 60000));
        ldm::ui::ModelPicker* picker = window.paintPanel()->modelPicker();
        picker->addCheckpoint(m_models.filePath(QStringLiteral("broken.safetensors")));
        QVERIFY(QTest::qWaitFor(
            [&] { return picker->statusText().contains(QStringLiteral("broken.safetensors")); },
            60000));
        QVERIFY(picker->statusText().startsWith(QStringLiteral("Cannot load")));
        // The palette stays what it was.
        QVERIFY(!window.paintPanel()->document()->palette().isEmpty());
    }

    // Measures how late a 5 ms GUI timer fires while the engine samples and previews stream
    // in: the user-visible stutter. Reports p99 and keeps it under a frame budget.
    void guiStaysResponsiveWhileTheEngineWorks()
    {
        QTemporaryDir galleryDir;
        EngineController controller;
        attach(controller);
        ldm::bridge::GalleryStore gallery(galleryDir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.resize(1200, 800);
        window.show();
        window.showActivity(MainWindow::Activity::Paint);
        ldm::ui::PaintPanel* paint = window.paintPanel();
        QVERIFY(QTest::qWaitFor([&] { return paint->document()->palette().classes().size() == 3; },
                                60000));
        ldm::Recipe recipe;
        recipe.task = "paint";
        recipe.steps = 40;
        recipe.guidanceScale = 2.0; // guided: two UNet passes per step
        recipe.seed = 3;
        paint->applyRecipe(recipe);
        paint->document()->newMap(QSize(192, 192), 1);

        QSignalSpy previews(&controller, &EngineController::previewReady);
        QSignalSpy finished(&controller, &EngineController::jobFinished);
        std::vector<qint64> lateness;
        QElapsedTimer clock;
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        probe.setInterval(5);
        qint64 last = 0;
        connect(&probe, &QTimer::timeout, this, [&] {
            const qint64 now = clock.nsecsElapsed();
            lateness.push_back(std::max<qint64>(0, now - last - 5'000'000));
            last = now;
        });
        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return !previews.isEmpty(); }, 60000));
        clock.start();
        probe.start();
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 300000));
        probe.stop();
        QVERIFY(lateness.size() > 20);
        std::sort(lateness.begin(), lateness.end());
        const auto at = [&](double q) {
            return double(lateness[std::min(lateness.size() - 1, size_t(q * lateness.size()))]) /
                   1e6;
        };
        qInfo("event-loop lateness with the real engine running: p50 %.2f ms, p99 %.2f ms, "
              "max %.2f ms over %zu ticks, %lld previews shown",
              at(0.5), at(0.99), at(1.0), lateness.size(), qlonglong(previews.size()));
        QVERIFY2(at(0.99) < 50.0, "the GUI thread stalls while the engine runs");
    }

private:
    void attach(EngineController& controller)
    {
        ldm::bridge::LdmImageEngine::Options options;
        options.threads = 1;
        options.device = QStringLiteral("cpu");
        options.modelDir = m_models.path();
        controller.setEngineFactory(
            [options] { return ldm::bridge::LdmImageEngine::create(options); });
    }

    QTemporaryDir m_models;
};

QTEST_MAIN(TestMainWindowEngine)
#include "tst_main_window_engine.moc"
