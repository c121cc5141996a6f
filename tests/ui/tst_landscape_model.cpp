// SPDX-License-Identifier: GPL-3.0-or-later
// The shipped landscape model through the app's engine bridge: paint a small map with the
// model's own classes and generate from it. Label "model": skipped until the weights exist.
#include "bridge/engine_controller.h"
#include "bridge/ldm_image_engine.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>

using ldm::bridge::EngineController;

class TestLandscapeModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void paintsASmallMap()
    {
        const QString models =
            qEnvironmentVariable("LDM_SOURCE_DIR") + QStringLiteral("/resources/models");
        // The weights are committed: a missing file is a broken checkout, not a reason to skip.
        QVERIFY2(QFileInfo::exists(models + QStringLiteral("/landscape/model.safetensors")),
                 "resources/models/landscape/model.safetensors is missing");
        EngineController controller;
        ldm::bridge::LdmImageEngine::Options options;
        options.modelDir = models;
        controller.setEngineFactory(
            [options] { return ldm::bridge::LdmImageEngine::create(options); });
        QSignalSpy loaded(&controller, &EngineController::modelLoaded);
        QVERIFY(QTest::qWaitFor([&] { return !controller.deviceName().isEmpty(); }, 60000));
        controller.loadModel(QStringLiteral("landscape"));
        QVERIFY(loaded.wait(120000));
        const auto model = loaded.first().first().value<ldm::bridge::ModelDescription>();
        QVERIFY(model.canDo(QStringLiteral("paint")));
        const auto palette =
            model.palette.isEmpty() ? ldm::bridge::ClassPalette::builtin() : model.palette;
        const int sky = qMax(0, palette.idOfName(QStringLiteral("sky")));
        const int water = qMax(0, palette.idOfName(QStringLiteral("water")));
        const int side = 8 * model.latentFactor * 2;

        ldm::bridge::GenerateRequest request;
        request.model = QStringLiteral("landscape");
        request.recipe.task = "paint";
        request.recipe.steps = 10;
        request.recipe.seed = 1;
        request.recipe.width = side;
        request.recipe.height = side;
        QImage map(side, side, QImage::Format_Indexed8);
        map.setColorTable(palette.colorTable());
        for (int y = 0; y < side; ++y)
            std::fill_n(map.scanLine(y), side, static_cast<uchar>(y < side / 2 ? sky : water));
        request.labelMap = map;

        QSignalSpy finished(&controller, &EngineController::jobFinished);
        QSignalSpy failed(&controller, &EngineController::jobFailed);
        controller.submit(request);
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 300000));
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
        const auto image = finished.first().at(1).value<QImage>();
        QCOMPARE(image.size(), QSize(side, side));
        // Sky above water: the top half should be lighter than the bottom half on average.
        qint64 top = 0;
        qint64 bottom = 0;
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x)
                (y < side / 2 ? top : bottom) += qGray(image.pixel(x, y));
        qInfo("mean grey: top %lld, bottom %lld", top / (side * side / 2),
              bottom / (side * side / 2));
        QVERIFY(top > bottom);
    }
};

QTEST_MAIN(TestLandscapeModel)
#include "tst_landscape_model.moc"
