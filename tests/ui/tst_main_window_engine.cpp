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
#include "panels/prompt_panel.h"
#include "tiny_model.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <type_traits>
#include <vector>

using ldm::bridge::EngineController;
using ldm::ui::MainWindow;

namespace {

// How late a 5 ms timer fires on the GUI thread: the stutter a user would feel.
class LatencyProbe
{
public:
    LatencyProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(IntervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_lateness.push_back(std::max<qint64>(0, now - m_last - IntervalMs * 1'000'000));
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    void stop()
    {
        m_timer.stop();
        std::sort(m_lateness.begin(), m_lateness.end());
    }
    int ticks() const { return static_cast<int>(m_lateness.size()); }
    /// In milliseconds; q in [0, 1].
    double percentile(double q) const
    {
        if (m_lateness.empty())
            return 0;
        const size_t i = std::min(m_lateness.size() - 1, size_t(q * double(m_lateness.size())));
        return double(m_lateness[i]) / 1e6;
    }

private:
    static constexpr int IntervalMs = 5;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<qint64> m_lateness;
};

// Runs a real event loop for `ms`, or until `signal` of `sender` fires.
template <typename Sender = QObject, typename Signal = std::nullptr_t>
void runEventLoop(int ms, Sender* sender = nullptr, Signal signal = nullptr)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    if constexpr (!std::is_same_v<Signal, std::nullptr_t>)
        QObject::connect(sender, signal, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

class TestMainWindowEngine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // "landscape" is the name the engine picks by default for painting.
        for (const auto& [name, kind] :
             {std::pair{"landscape", "map"}, std::pair{"prompted", "text"}}) {
            const std::string error =
                ldm::test::installTinyModel(m_models.path().toStdString(), name, kind);
            QVERIFY2(error.empty(), error.c_str());
        }
        QFile broken(m_models.filePath(QStringLiteral("broken.safetensors")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a checkpoint");
    }

    // Each test starts as a first run: no remembered model choice or recent checkpoints.
    void init() { QSettings().clear(); }

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

        // The default model is chosen and loaded; its classes (colours) become the palette.
        QVERIFY(QTest::qWaitFor([&] { return usesModelPalette(paint); }, 60000));
        QCOMPARE(paint->modelPicker()->modelKey(), QStringLiteral("landscape"));
        QCOMPARE(paint->mapMultiple(), 8); // lcm(8, f4)
        QVERIFY(paint->modelPicker()->statusText().contains(QStringLiteral("10")));

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
        QCOMPARE(item.recipe.modelName, std::string("landscape"));
        QCOMPARE(item.recipe.modelHash.size(), size_t(10));
        QCOMPARE(item.recipe.seed, 11ULL);
        QCOMPARE(item.recipe.width, 64);
        QCOMPARE(item.recipe.height, 48);
        const QImage map(gallery.absolutePath(item.mapFile));
        QCOMPARE(map.pixelIndex(5, 40), 2);
        QCOMPARE(paint->preview()->image().size(), QSize(64, 48));
    }

    void promptGeneratesThroughTheTokenizer()
    {
        QTemporaryDir galleryDir;
        EngineController controller;
        attach(controller);
        ldm::bridge::GalleryStore gallery(galleryDir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.show();
        window.showActivity(MainWindow::Activity::Prompt);
        QVERIFY(QTest::qWaitFor([&] { return !controller.deviceName().isEmpty(); }, 60000));
        ldm::ui::ModelPicker* picker = window.promptPanel()->modelPicker();
        // The default ("landscape") paints but reads no text: the picker says so.
        QVERIFY(QTest::qWaitFor([&] { return picker->model().isValid(); }, 60000));
        QVERIFY(picker->statusText().contains(QStringLiteral("cannot")));
        QVERIFY(picker->selectByName(QStringLiteral("prompted")));
        QVERIFY(QTest::qWaitFor([&] { return picker->model().key == QStringLiteral("prompted"); },
                                60000));

        ldm::Recipe recipe;
        recipe.prompt = "a calm sea under a cloudy sky";
        recipe.steps = 3;
        recipe.guidanceScale = 2.0;
        recipe.seed = 5;
        recipe.width = 64;
        recipe.height = 64;
        window.promptPanel()->applyRecipe(recipe);
        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return gallery.items().size() == 1; }, 90000));
        QCOMPARE(gallery.items().first().recipe.prompt, recipe.prompt);
        QCOMPARE(gallery.items().first().recipe.modelName, std::string("prompted"));
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
    // in, against the same probe with the engine idle. Reports p99; the engine may add at
    // most a few frames of stutter.
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
        QVERIFY(QTest::qWaitFor([&] { return usesModelPalette(paint); }, 60000));
        ldm::Recipe recipe;
        recipe.task = "paint";
        recipe.steps = 40;
        recipe.guidanceScale = 2.0; // guided: two UNet passes per step
        recipe.seed = 3;
        paint->applyRecipe(recipe);
        paint->document()->newMap(QSize(192, 192), 1);

        QSignalSpy previews(&controller, &EngineController::previewReady);
        QSignalSpy finished(&controller, &EngineController::jobFinished);
        // The same probe with the engine idle first: the machine's own noise (other processes
        // on a shared CPU) is not the engine's doing.
        // A plain QEventLoop, as in the app: QTest::qWait() sleeps 10 ms between its
        // processEvents() calls and would measure itself.
        LatencyProbe idle;
        idle.start();
        runEventLoop(2000);
        idle.stop();

        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return !previews.isEmpty(); }, 60000));
        LatencyProbe busy;
        busy.start();
        runEventLoop(300000, &controller, &EngineController::jobFinished);
        busy.stop();
        QVERIFY(!finished.isEmpty());
        QVERIFY(busy.ticks() > 20);
        qInfo("event-loop lateness, engine idle: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d ticks)",
              idle.percentile(0.5), idle.percentile(0.99), idle.percentile(1.0), idle.ticks());
        qInfo("event-loop lateness, engine running: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d "
              "ticks, %lld previews shown)",
              busy.percentile(0.5), busy.percentile(0.99), busy.percentile(1.0), busy.ticks(),
              qlonglong(previews.size()));
        QVERIFY2(busy.percentile(0.99) < idle.percentile(0.99) + 50.0,
                 "the GUI thread stalls while the engine runs");
    }

private:
    // The tiny map model draws class n as #0n0n0n, unlike the app's landscape palette.
    static bool usesModelPalette(ldm::ui::PaintPanel* paint)
    {
        const auto* grass = paint->document()->palette().byId(7);
        return grass && grass->color == QColor(7, 7, 7);
    }

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
