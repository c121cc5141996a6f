// SPDX-License-Identifier: GPL-3.0-or-later
// The real engine behind the bridge: LdmImageEngine on the controller's engine thread, with a
// tiny random-weight models written by the test (tiny_model.h).
#include "bridge/engine_controller.h"
#include "bridge/ldm_image_engine.h"
#include "tiny_model.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <memory>

using ldm::bridge::EngineController;
using ldm::bridge::GenerateRequest;
using ldm::bridge::JobId;
using ldm::bridge::LdmImageEngine;
using ldm::bridge::ModelDescription;

namespace {

QImage labelMap(int width, int height)
{
    QImage map(width, height, QImage::Format_Indexed8);
    map.setColorCount(256);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            map.scanLine(y)[x] = static_cast<uchar>(y < height / 3 ? 0 : (x < width / 2 ? 1 : 2));
    return map;
}

GenerateRequest paintRequest(int side, int steps, quint64 seed = 7)
{
    GenerateRequest r;
    r.model = QStringLiteral("tiny");
    r.recipe.task = "paint";
    r.recipe.sampler = "ddim";
    r.recipe.steps = steps;
    r.recipe.guidanceScale = 1.0;
    r.recipe.seed = seed;
    r.recipe.width = side;
    r.recipe.height = side;
    r.labelMap = labelMap(side, side);
    return r;
}

} // namespace

class TestLdmImageEngine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_models.isValid());
        for (const auto& [name, kind] : {std::pair{"tiny", "map"}, std::pair{"prompted", "text"},
                                         std::pair{"sharper", "superres"},
                                         std::pair{"sd-inpainting", "sd1_inpaint"}}) {
            const std::string error =
                ldm::test::installTinyModel(m_models.path().toStdString(), name, kind);
            QVERIFY2(error.empty(), error.c_str());
        }
        // For trying the app by hand: LDM_TINY_MODEL_OUT=<dir> keeps a copy of the map model.
        if (const QString out = qEnvironmentVariable("LDM_TINY_MODEL_OUT"); !out.isEmpty()) {
            QFile::remove(out + QStringLiteral("/model.safetensors"));
            QVERIFY(QDir().mkpath(out));
            QVERIFY(QFile::copy(m_models.filePath(QStringLiteral("tiny/model.safetensors")),
                                out + QStringLiteral("/model.safetensors")));
        }
        QFile broken(m_models.filePath(QStringLiteral("broken.safetensors")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("this is not a checkpoint");
    }

    void convertsImagesWithDeepCopies()
    {
        ldm::RgbImage rgb;
        rgb.width = 5; // odd: QImage rows are padded, the engine's are not
        rgb.height = 3;
        for (int i = 0; i < 5 * 3 * 3; ++i)
            rgb.pixels.push_back(static_cast<uint8_t>(i * 7));
        const QImage image = ldm::bridge::imageFromRgb(rgb);
        QCOMPARE(image.size(), QSize(5, 3));
        QCOMPARE(image.pixel(4, 2),
                 qRgb(14 * 3 * 7 % 256, (14 * 3 + 1) * 7 % 256, (14 * 3 + 2) * 7 % 256));
        rgb.pixels.assign(rgb.pixels.size(), 0); // the QImage owns its own pixels
        QCOMPARE(image.pixel(1, 0), qRgb(21, 28, 35));

        QImage argb(5, 3, QImage::Format_ARGB32);
        argb.fill(qRgba(10, 20, 30, 40));
        const ldm::RgbImage back = ldm::bridge::rgbFromImage(argb);
        QCOMPARE(back.width, 5);
        QCOMPARE(back.pixels.size(), size_t(5 * 3 * 3));
        QCOMPARE(int(back.pixels[3 * 14 + 2]), 30);

        ldm::RgbImage wrong;
        wrong.width = 4;
        wrong.height = 4;
        wrong.pixels.resize(7);
        QVERIFY(ldm::bridge::imageFromRgb(wrong).isNull()); // bad size: no crash, no image

        const ldm::LabelMap map = ldm::bridge::labelMapFromIds(labelMap(6, 3));
        QCOMPARE(map.ids.size(), size_t(18));
        QCOMPARE(int(map.ids[17]), 2);
        QVERIFY(ldm::bridge::labelMapFromIds(argb.convertToFormat(QImage::Format_RGB32)).empty());
    }

    void listsAndLoadsModelsOnTheEngineThread()
    {
        auto controller = start();
        QCOMPARE(controller->shippedModels(),
                 (QStringList{QStringLiteral("prompted"), QStringLiteral("sd-inpainting"),
                              QStringLiteral("sharper"), QStringLiteral("tiny")}));
        QVERIFY(controller->deviceName().contains(QStringLiteral("CPU")) ||
                controller->deviceName().contains(QStringLiteral("CUDA")));
        QSignalSpy started(controller.get(), &EngineController::modelLoadStarted);
        QSignalSpy loaded(controller.get(), &EngineController::modelLoaded);
        controller->loadModel(QStringLiteral("tiny"));
        QCOMPARE(started.size(), 1);
        QCOMPARE(controller->loadingModel(), QStringLiteral("tiny"));
        QVERIFY(loaded.wait(60000));
        const auto model = loaded.first().first().value<ModelDescription>();
        QCOMPARE(model.key, QStringLiteral("tiny"));
        QCOMPARE(model.latentFactor, 4);
        QVERIFY(model.takesMap);
        QVERIFY(model.canDo(QStringLiteral("paint")));
        QCOMPARE(model.palette.classes().size(), 10);
        QCOMPARE(model.palette.byId(7)->name, QStringLiteral("grass"));
        QCOMPARE(model.palette.byId(7)->color, QColor(7, 7, 7)); // the model's, not the app's
        QCOMPARE(model.hash.size(), 10);
        QVERIFY(controller->loadingModel().isEmpty());
        QVERIFY(controller->knownModel(QStringLiteral("tiny")).isValid());
    }

    void loadFailuresCarryTheLoadersMessage()
    {
        auto controller = start();
        QSignalSpy failed(controller.get(), &EngineController::modelLoadFailed);
        const QString broken = m_models.filePath(QStringLiteral("broken.safetensors"));
        controller->loadModel(broken);
        QVERIFY(failed.wait(30000));
        QCOMPARE(failed.first().at(0).toString(), broken);
        const QString message = failed.first().at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("broken.safetensors")), qPrintable(message));
        controller->loadModel(QStringLiteral("no-such-model"));
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.last().at(1).toString().contains(QStringLiteral("no-such-model")),
                 qPrintable(failed.last().at(1).toString()));
    }

    void paintJobGivesPreviewsProgressAndTheCompletedRecipe()
    {
        auto controller = start();
        QSignalSpy previews(controller.get(), &EngineController::previewReady);
        QSignalSpy progress(controller.get(), &EngineController::progressChanged);
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        QSignalSpy failed(controller.get(), &EngineController::jobFailed);
        const JobId id = controller->submit(paintRequest(64, 6));
        QVERIFY(id != 0);
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 90000));
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        QVERIFY(!previews.isEmpty());
        QCOMPARE(previews.last().at(0).value<JobId>(), id);
        QCOMPARE(previews.last().at(1).value<QImage>().size(), QSize(64, 64));
        QVERIFY(!progress.isEmpty());
        const auto image = finished.first().at(1).value<QImage>();
        QCOMPARE(image.size(), QSize(64, 64));
        const auto recipe = finished.first().at(2).value<ldm::Recipe>();
        QCOMPARE(recipe.modelName, std::string("tiny"));
        QCOMPARE(recipe.modelHash.size(), size_t(10));
        QCOMPARE(recipe.mapHash.size(), size_t(10));
        QCOMPARE(recipe.seed, 7ULL);
        QVERIFY(recipe.engineVersion.rfind("latent-canvas", 0) == 0);
        QVERIFY(!recipe.createdAt.empty());
        // The job loaded the model itself, and the UI heard about it.
        QCOMPARE(controller->currentModel().key, QStringLiteral("tiny"));
    }

    void textJobRunsThroughTheTokenizer()
    {
        // sentencepiece lives in the DEEPBIND shim beside the executable; this is the same
        // process layout as the app (Qt + LibTorch + the shim).
        auto controller = start();
        GenerateRequest r;
        r.model = QStringLiteral("prompted");
        r.recipe.task = "txt2img";
        r.recipe.prompt = "snowy mountains above a lake";
        r.recipe.negativePrompt = "fog";
        r.recipe.steps = 3;
        r.recipe.guidanceScale = 3.0;
        r.recipe.width = 32;
        r.recipe.height = 32;
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        QSignalSpy failed(controller.get(), &EngineController::jobFailed);
        controller->submit(r);
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 90000));
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        QCOMPARE(finished.first().at(1).value<QImage>().size(), QSize(32, 32));
        QCOMPARE(finished.first().at(2).value<ldm::Recipe>().prompt, r.recipe.prompt);
        QVERIFY(controller->currentModel().takesText);

        // Longer than the model reads (16 tokens): the picture comes with a warning.
        QSignalSpy warned(controller.get(), &EngineController::jobWarned);
        r.recipe.prompt = "snowy mountains above a lake at sunset green meadow forest under "
                          "cloudy sky sandy beach calm sea rock grass water snowy mountains";
        controller->submit(r);
        QVERIFY(QTest::qWaitFor([&] { return finished.size() == 2 || !failed.isEmpty(); }, 90000));
        QCOMPARE(warned.size(), 1);
        QVERIFY(warned.first().at(1).toStringList().first().contains(QStringLiteral("prompt")));
    }

    void upscaleJobReturnsFourTimesTheInput()
    {
        auto controller = start();
        GenerateRequest r;
        r.model = QStringLiteral("sharper");
        r.recipe.task = "upscale";
        r.recipe.steps = 2;
        r.recipe.width = 64;
        r.recipe.height = 48;
        r.inputImage = QImage(16, 12, QImage::Format_RGB888);
        r.inputImage.fill(QColor(200, 120, 40));
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        QSignalSpy failed(controller.get(), &EngineController::jobFailed);
        controller->submit(r);
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 90000));
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        QCOMPARE(finished.first().at(1).value<QImage>().size(), QSize(64, 48));
        QCOMPARE(finished.first().at(2).value<ldm::Recipe>().inputImageHash.size(), size_t(10));
    }

    void editJobsKeepWhatTheMaskKeeps()
    {
        auto controller = start();
        GenerateRequest r;
        r.model = QStringLiteral("prompted");
        r.recipe.task = "inpaint";
        r.recipe.prompt = "a calm lake";
        r.recipe.steps = 3;
        r.recipe.strength = 1.0;
        r.inputImage = QImage(32, 24, QImage::Format_RGB888);
        for (int y = 0; y < 24; ++y)
            for (int x = 0; x < 32; ++x)
                r.inputImage.setPixelColor(x, y, QColor(x * 8, y * 10, 90));
        r.recipe.width = 32;
        r.recipe.height = 24;
        r.mask = QImage(32, 24, QImage::Format_Grayscale8); // as the Edit page paints it
        r.mask.fill(0);
        for (int y = 0; y < 24; ++y)
            memset(r.mask.scanLine(y), 255, 12);
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        QSignalSpy failed(controller.get(), &EngineController::jobFailed);
        controller->submit(r);
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 90000));
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        const QImage filled = finished.first().at(1).value<QImage>().convertToFormat(
            QImage::Format_RGB888);
        QCOMPARE(filled.size(), QSize(32, 24));
        for (int y = 0; y < 24; ++y)
            for (int x = 12; x < 32; ++x)
                QCOMPARE(filled.pixelColor(x, y), r.inputImage.pixelColor(x, y));
        const auto recipe = finished.first().at(2).value<ldm::Recipe>();
        QCOMPARE(recipe.task, std::string("inpaint"));
        QCOMPARE(recipe.maskHash.size(), size_t(10));
        QCOMPARE(recipe.inputImageHash.size(), size_t(10));

        // Image to image carries its strength and no mask.
        r.recipe.task = "img2img";
        r.recipe.strength = 0.5;
        r.mask = QImage();
        controller->submit(r);
        QVERIFY(QTest::qWaitFor([&] { return finished.size() == 2 || !failed.isEmpty(); }, 90000));
        QVERIFY(failed.isEmpty());
        const auto redrawn = finished.at(1).at(2).value<ldm::Recipe>();
        QCOMPARE(redrawn.strength, 0.5);
        QVERIFY(redrawn.maskHash.empty());

        // Outpaint: the engine grows the canvas and keeps every input pixel.
        r.recipe.task = "outpaint";
        r.recipe.strength = 1.0;
        r.recipe.growth.left = 8;
        r.recipe.width = 40;
        controller->submit(r);
        QVERIFY(QTest::qWaitFor([&] { return finished.size() == 3 || !failed.isEmpty(); }, 90000));
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        const QImage grown =
            finished.at(2).at(1).value<QImage>().convertToFormat(QImage::Format_RGB888);
        QCOMPARE(grown.size(), QSize(40, 24));
        for (int y = 0; y < 24; y += 5)
            for (int x = 0; x < 32; x += 3)
                QCOMPARE(grown.pixelColor(8 + x, y), r.inputImage.pixelColor(x, y));
        QCOMPARE(finished.at(2).at(2).value<ldm::Recipe>().growth.left, 8);
        r.recipe.growth = {};
        r.recipe.width = 32;

        // An inpainting job without its mask fails with a sentence, not a crash.
        r.recipe.task = "inpaint";
        controller->submit(r);
        QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty(); }, 90000));
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("mask")));
    }

    void sdInpaintingFileFillsTheMaskThroughTheApp()
    {
        // The layout of sd-v1-5-inpainting: a 9-channel UNet fed cat(x_t, mask, masked latent).
        auto controller = start();
        GenerateRequest r;
        r.model = QStringLiteral("sd-inpainting");
        r.recipe.task = "inpaint";
        r.recipe.prompt = "a wooden boat";
        r.recipe.steps = 3;
        r.recipe.strength = 1.0;
        r.recipe.width = 32;
        r.recipe.height = 32;
        r.inputImage = QImage(32, 32, QImage::Format_RGB888);
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x)
                r.inputImage.setPixelColor(x, y, QColor(x * 8, y * 8, 120));
        r.mask = QImage(32, 32, QImage::Format_Grayscale8);
        r.mask.fill(0);
        for (int y = 8; y < 24; ++y)
            memset(r.mask.scanLine(y) + 8, 255, 16);
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        QSignalSpy failed(controller.get(), &EngineController::jobFailed);
        controller->submit(r);
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 90000));
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        const QImage filled =
            finished.first().at(1).value<QImage>().convertToFormat(QImage::Format_RGB888);
        int changed = 0;
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
                const bool masked = x >= 8 && x < 24 && y >= 8 && y < 24;
                if (!masked)
                    QCOMPARE(filled.pixelColor(x, y), r.inputImage.pixelColor(x, y));
                else
                    changed += filled.pixelColor(x, y) != r.inputImage.pixelColor(x, y);
            }
        QVERIFY2(changed > 16 * 16 / 2, qPrintable(QString::number(changed)));
        const auto recipe = finished.first().at(2).value<ldm::Recipe>();
        QCOMPARE(recipe.task, std::string("inpaint"));
        QCOMPARE(recipe.modelName, std::string("sd-inpainting"));
        QCOMPARE(controller->currentModel().key, QStringLiteral("sd-inpainting"));

        // Such a file only fills: image to image is refused with a sentence.
        r.recipe.task = "img2img";
        r.mask = QImage();
        controller->submit(r);
        QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty(); }, 90000));
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("img2img")));
    }

    void cancelLandsWithinAStep()
    {
        auto controller = start();
        QSignalSpy progress(controller.get(), &EngineController::progressChanged);
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        const JobId longJob = controller->submit(paintRequest(192, 500));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return !progress.isEmpty() &&
                       progress.last().at(1).value<ldm::bridge::ProgressInfo>().step >= 3;
            },
            120000));
        const auto p = progress.last().at(1).value<ldm::bridge::ProgressInfo>();
        const double stepMs = double(p.elapsedMs) / p.step;
        QElapsedTimer clock;
        clock.start();
        controller->cancelCurrent();
        QVERIFY(controller->currentJob() != longJob);
        // The worker takes the next job only once the cancelled one has returned.
        const JobId next = controller->submit(paintRequest(32, 1));
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 120000));
        QCOMPARE(finished.first().at(0).value<JobId>(), next);
        const qint64 freedAfter = clock.elapsed();
        qInfo("step %.0f ms; engine free %lld ms after cancel (uncancelled: %.0f s left)", stepMs,
              freedAfter, stepMs * (500 - p.step) / 1000.0);
        // One step to notice, plus the short job; generous for a shared CPU.
        QVERIFY2(freedAfter < 4 * stepMs + 3000, qPrintable(QString::number(freedAfter)));
    }

    void badRequestsFailWithAClearMessage()
    {
        auto controller = start();
        QSignalSpy failed(controller.get(), &EngineController::jobFailed);
        GenerateRequest odd = paintRequest(64, 2);
        odd.recipe.width = 66; // not a multiple of the f4 grid
        odd.labelMap = labelMap(66, 64);
        controller->submit(odd);
        QVERIFY(failed.wait(60000));
        QVERIFY2(failed.last().at(1).toString().contains(QStringLiteral("multiples of 4")),
                 qPrintable(failed.last().at(1).toString()));

        GenerateRequest noMap = paintRequest(64, 2);
        noMap.labelMap = QImage();
        controller->submit(noMap);
        QVERIFY(failed.wait(60000));
        QVERIFY(failed.last().at(1).toString().contains(QStringLiteral("label map")));

        GenerateRequest text = paintRequest(64, 2);
        text.recipe.task = "txt2img"; // the tiny model only paints
        controller->submit(text);
        QVERIFY(failed.wait(60000));
        QVERIFY2(failed.last().at(1).toString().contains(QStringLiteral("txt2img")),
                 qPrintable(failed.last().at(1).toString()));
    }

    void engineThatCannotStartIsReported()
    {
        EngineController controller;
        QSignalSpy failed(&controller, &EngineController::engineFailed);
        LdmImageEngine::Options options;
        options.device = QStringLiteral("quantum");
        controller.setEngineFactory([options] { return LdmImageEngine::create(options); });
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.first().first().toString().contains(QStringLiteral("quantum")),
                 qPrintable(failed.first().first().toString()));
    }

private:
    std::unique_ptr<EngineController> start()
    {
        auto controller = std::make_unique<EngineController>();
        QSignalSpy ready(controller.get(), &EngineController::engineReady);
        LdmImageEngine::Options options;
        options.threads = 1; // leave the other core to the GUI thread and the build
        options.device = QStringLiteral("cpu");
        options.modelDir = m_models.path();
        controller->setEngineFactory([options] { return LdmImageEngine::create(options); });
        if (!ready.wait(60000))
            qFatal("the engine did not start: %s", qPrintable(controller->engineError()));
        return controller;
    }

    QTemporaryDir m_models;
};

QTEST_MAIN(TestLdmImageEngine)
#include "tst_ldm_image_engine.moc"
