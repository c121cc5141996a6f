// SPDX-License-Identifier: GPL-3.0-or-later
// AUTOMATIC1111's settings beside the sampler (schedule type, RNG source, variation seed): from
// the widgets to the recipe a job runs with, back from app settings, a gallery item and an
// A1111 PNG's `parameters` text.
#include "bridge/engine_controller.h"
#include "bridge/gallery_store.h"
#include "fake_engine.h"
#include "gallery/gallery_view.h"
#include "main_window.h"
#include "panels/edit_panel.h"
#include "panels/generation_settings.h"
#include "panels/paint_panel.h"
#include "panels/prompt_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QImageWriter>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using ldm::ui::GenerationSettings;
using ldm::ui::MainWindow;

namespace {

// The widgets of one form, found by the names the form gives them.
struct ExtrasWidgets
{
    explicit ExtrasWidgets(GenerationSettings* settings)
        : sampler(settings->findChildren<QComboBox*>().at(0))
        , schedule(settings->findChild<QComboBox*>(QStringLiteral("scheduleType")))
        , rng(settings->findChild<QComboBox*>(QStringLiteral("rngSource")))
        , variationSeed(settings->findChild<QLineEdit*>(QStringLiteral("variationSeed")))
        , variationStrength(
              settings->findChild<QDoubleSpinBox*>(QStringLiteral("variationStrength")))
        , extra(settings->findChild<QToolButton*>(QStringLiteral("extraToggle")))
    {
    }
    bool complete() const
    {
        return sampler && schedule && rng && variationSeed && variationStrength && extra;
    }
    void choose(QComboBox* box, const char* id) const
    {
        const int index = box->findData(QString::fromLatin1(id));
        QVERIFY2(index >= 0, id);
        box->setCurrentIndex(index);
    }
    QString value(QComboBox* box) const { return box->currentData().toString(); }

    QComboBox* sampler;
    QComboBox* schedule;
    QComboBox* rng;
    QLineEdit* variationSeed;
    QDoubleSpinBox* variationStrength;
    QToolButton* extra;
};

ldm::Recipe recipeOf(const GenerationSettings& settings)
{
    ldm::Recipe recipe;
    settings.fillRecipe(recipe);
    return recipe;
}

} // namespace

class TestSamplingExtras final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void theFormsOfPromptPaintAndEditHaveThem()
    {
        QTemporaryDir dir;
        ldm::bridge::EngineController controller;
        ldm::bridge::GalleryStore gallery(dir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        for (GenerationSettings* settings :
             {window.promptPanel()->settings(), window.paintPanel()->settings(),
              window.editPanel()->settings()})
            QVERIFY(ExtrasWidgets(settings).complete());
    }

    void theJobRunsWithTheChosenSettings()
    {
        QTemporaryDir dir;
        auto state = std::make_shared<ldm::test::FakeEngineState>();
        state->steps = 2;
        ldm::bridge::EngineController controller;
        controller.setEngineFactory(
            [state] { return std::make_unique<ldm::test::FakeEngine>(state); });
        ldm::bridge::GalleryStore gallery(dir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.show();
        ldm::Recipe start;
        start.prompt = "a lighthouse";
        start.seed = 21;
        start.width = 64;
        start.height = 64;
        window.promptPanel()->applyRecipe(start);
        const ExtrasWidgets w(window.promptPanel()->settings());
        QVERIFY(w.complete());
        w.choose(w.sampler, "euler_a");
        QVERIFY(w.schedule->isEnabled());
        w.choose(w.schedule, "karras");
        w.choose(w.rng, "cpu");
        QVERIFY(!w.variationSeed->isEnabled()); // strength 0: no variation
        w.variationStrength->setValue(0.3);
        QVERIFY(w.variationSeed->isEnabled());
        w.variationSeed->setText(QStringLiteral("5"));

        window.showActivity(MainWindow::Activity::Prompt);
        QVERIFY(QTest::qWaitFor([&] { return !controller.deviceName().isEmpty(); }, 5000));
        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return gallery.items().size() == 1; }, 10000));
        ldm::Recipe ran;
        {
            const std::lock_guard<std::mutex> lock(state->requestMutex);
            ran = state->lastRequest.recipe;
        }
        QCOMPARE(ran.sampler, std::string("euler_a"));
        QCOMPARE(ran.schedule, std::string("karras"));
        QCOMPARE(ran.rng, std::string("cpu"));
        QCOMPARE(ran.variationSeed, 5ULL);
        QCOMPARE(ran.variationStrength, 0.3);
        QCOMPARE(ran.seed, 21ULL);
        // The gallery keeps them, and the PNG's A1111 text names them as A1111 does.
        const ldm::Recipe kept = gallery.items().first().recipe;
        QCOMPARE(kept.schedule, ran.schedule);
        QCOMPARE(kept.rng, ran.rng);
        const QString parameters = QString::fromStdString(ldm::toA1111Parameters(kept));
        for (const char* pair : {"Sampler: Euler a", "Schedule type: Karras", "RNG: CPU",
                                 "Variation seed: 5", "Variation seed strength: 0.3"})
            QVERIFY2(parameters.contains(QString::fromLatin1(pair)), qPrintable(parameters));
    }

    void ourSamplersReadNoScheduleAndRecordNone()
    {
        GenerationSettings settings(true);
        const ExtrasWidgets w(&settings);
        QVERIFY(w.complete());
        w.choose(w.sampler, "dpmpp_2m");
        w.choose(w.schedule, "exponential");
        for (const std::string& sampler : ldm::knownSamplerIds()) {
            w.choose(w.sampler, sampler.c_str());
            const bool kDiffusion = ldm::isKDiffusionSamplerId(sampler);
            QCOMPARE(w.schedule->isEnabled(), kDiffusion);
            QCOMPARE(settings.scheduleEnabled(), kDiffusion);
            QCOMPARE(recipeOf(settings).schedule,
                     std::string(kDiffusion ? "exponential" : "automatic"));
        }
        w.choose(w.sampler, "ddim");
        QVERIFY(!w.schedule->isEnabled());
        QCOMPARE(w.value(w.schedule), QStringLiteral("exponential")); // kept for a later switch
        // A variation seed without strength is no variation.
        w.variationSeed->setText(QStringLiteral("9"));
        QCOMPARE(recipeOf(settings).variationSeed, 0ULL);
        QCOMPARE(recipeOf(settings).variationStrength, 0.0);
    }

    void anA1111PictureRestoresTheWidgets()
    {
        QTemporaryDir dir;
        ldm::bridge::EngineController controller; // no engine needed to restore
        ldm::bridge::GalleryStore gallery(dir.filePath(QStringLiteral("gallery")));
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.showActivity(MainWindow::Activity::Prompt);
        const ExtrasWidgets w(window.promptPanel()->settings());
        QVERIFY(w.complete());
        QVERIFY(!w.extra->isChecked());

        const QString path = writeA1111Png(
            dir, QStringLiteral("a1111.png"),
            QStringLiteral("a lighthouse at dusk\nNegative prompt: fog\nSteps: 20, Sampler: "
                           "DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234, Size: "
                           "64x64, RNG: CPU, Variation seed: 5, Variation seed strength: 0.3"));
        window.openFile(path);
        QCOMPARE(w.value(w.sampler), QStringLiteral("dpmpp_2m"));
        QVERIFY(w.schedule->isEnabled());
        QCOMPARE(w.value(w.schedule), QStringLiteral("karras"));
        QCOMPARE(w.value(w.rng), QStringLiteral("cpu"));
        QCOMPARE(w.variationSeed->text(), QStringLiteral("5"));
        QCOMPARE(w.variationStrength->value(), 0.3);
        QVERIFY(w.variationSeed->isEnabled());
        QVERIFY(w.extra->isChecked()); // a variation in use is shown
        const ldm::Recipe recipe = recipeOf(*window.promptPanel()->settings());
        QCOMPARE(recipe.schedule, std::string("karras"));
        QCOMPARE(recipe.rng, std::string("cpu"));
        QCOMPARE(recipe.variationSeed, 5ULL);
        QCOMPARE(recipe.variationStrength, 0.3);

        // Without "RNG" A1111 drew its GPU noise (= NV); DDIM reads no schedule.
        window.openFile(writeA1111Png(
            dir, QStringLiteral("ddim.png"),
            QStringLiteral("a lighthouse\nSteps: 20, Sampler: DDIM, CFG scale: 7, Seed: 3, Size: "
                           "64x64")));
        QCOMPARE(w.value(w.sampler), QStringLiteral("ddim"));
        QVERIFY(!w.schedule->isEnabled());
        QCOMPARE(w.value(w.schedule), QStringLiteral("automatic"));
        QCOMPARE(w.value(w.rng), QStringLiteral("nv"));
        QCOMPARE(w.variationStrength->value(), 0.0);
        QVERIFY(!w.variationSeed->isEnabled());
    }

    void aGalleryItemRestoresTheWidgets()
    {
        QTemporaryDir dir;
        ldm::bridge::EngineController controller;
        ldm::bridge::GalleryStore gallery(dir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        ldm::Recipe recipe;
        recipe.prompt = "dunes";
        recipe.sampler = "dpmpp_2m_sde";
        recipe.schedule = "sgm_uniform";
        recipe.rng = "nv";
        recipe.variationSeed = 9;
        recipe.variationStrength = 0.5;
        recipe.width = 64;
        recipe.height = 64;
        QImage image(64, 64, QImage::Format_RGB32);
        image.fill(Qt::darkYellow);
        QVERIFY(gallery.add(image, recipe).ok());
        auto* view = window.findChild<ldm::ui::GalleryView*>();
        QVERIFY(view);
        Q_EMIT view->restoreRequested(gallery.items().first().recipe, QString());
        const ExtrasWidgets w(window.promptPanel()->settings());
        QCOMPARE(w.value(w.sampler), QStringLiteral("dpmpp_2m_sde"));
        QCOMPARE(w.value(w.schedule), QStringLiteral("sgm_uniform"));
        QCOMPARE(w.value(w.rng), QStringLiteral("nv"));
        QCOMPARE(w.variationSeed->text(), QStringLiteral("9"));
        QCOMPARE(w.variationStrength->value(), 0.5);
    }

    void theSettingsSurviveARestart()
    {
        QTemporaryDir dir;
        QSettings store(dir.filePath(QStringLiteral("state.ini")), QSettings::IniFormat);
        {
            GenerationSettings settings(false);
            const ExtrasWidgets w(&settings);
            w.choose(w.sampler, "heun");
            w.choose(w.schedule, "align_your_steps");
            w.choose(w.rng, "nv");
            w.variationStrength->setValue(0.25);
            w.variationSeed->setText(QStringLiteral("18446744073709551615"));
            settings.saveState(store);
        }
        GenerationSettings restarted(false);
        QCOMPARE(recipeOf(restarted).rng, std::string("ours")); // the default before restoring
        restarted.restoreState(store);
        const ldm::Recipe recipe = recipeOf(restarted);
        QCOMPARE(recipe.sampler, std::string("heun"));
        QCOMPARE(recipe.schedule, std::string("align_your_steps"));
        QCOMPARE(recipe.rng, std::string("nv"));
        QCOMPARE(recipe.variationStrength, 0.25);
        QCOMPARE(recipe.variationSeed, 18446744073709551615ULL);
        QVERIFY(ExtrasWidgets(&restarted).extra->isChecked());
    }

private:
    static QString writeA1111Png(const QTemporaryDir& dir, const QString& name,
                                 const QString& parameters)
    {
        QImage image(64, 64, QImage::Format_RGB32);
        image.fill(Qt::gray);
        const QString path = dir.filePath(name);
        QImageWriter writer(path, "png");
        writer.setText(QStringLiteral("parameters"), parameters);
        if (!writer.write(image))
            qWarning("cannot write %s", qPrintable(path));
        return path;
    }
};

QTEST_MAIN(TestSamplingExtras)
#include "tst_sampling_extras.moc"
