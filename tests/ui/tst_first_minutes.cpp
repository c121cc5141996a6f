// SPDX-License-Identifier: GPL-3.0-or-later
// A newcomer's first minutes: settings that fit the model (the CLI's defaults), eta only where
// it means something, every row usable at 800 × 600, and no surprising state (a restored seed
// that stays fixed, a noisy preview left after Cancel, a map discarded without asking, a file
// handled by the page that happened to be in front, a broken checkpoint offered again).
#include "bridge/engine_controller.h"
#include "bridge/gallery_store.h"
#include "bridge/label_map_io.h"
#include "canvas/label_document.h"
#include "fake_engine.h"
#include "gallery/gallery_view.h"
#include "main_window.h"
#include "models_engine.h"
#include "panels/generation_settings.h"
#include "panels/model_picker.h"
#include "panels/paint_panel.h"
#include "panels/preview_view.h"
#include "panels/prompt_panel.h"
#include "panels/upscale_panel.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFormLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <algorithm>

using ldm::ui::GenerationSettings;
using ldm::ui::MainWindow;

namespace {

/// Every widget of a form row's field (a widget or a layout of widgets).
void collectWidgets(QLayoutItem* item, QList<QWidget*>& out)
{
    if (!item)
        return;
    if (item->widget()) {
        out << item->widget();
        return;
    }
    if (QLayout* layout = item->layout())
        for (int i = 0; i < layout->count(); ++i)
            collectWidgets(layout->itemAt(i), out);
}

/// The rows of every form on `page` that are shown but squeezed below what they need.
QStringList squeezedRows(QWidget* page)
{
    QStringList squeezed;
    for (QFormLayout* form : page->findChildren<QFormLayout*>()) {
        for (int row = 0; row < form->rowCount(); ++row) {
            QList<QWidget*> widgets;
            collectWidgets(form->itemAt(row, QFormLayout::FieldRole), widgets);
            collectWidgets(form->itemAt(row, QFormLayout::SpanningRole), widgets);
            for (QWidget* w : widgets) {
                if (!w->isVisibleTo(page))
                    continue;
                const int needed = w->sizePolicy().verticalPolicy() == QSizePolicy::Fixed
                                       ? w->sizeHint().height()
                                       : w->minimumSizeHint().height();
                if (w->height() < needed)
                    squeezed << QStringLiteral("%1 row %2 (%3): %4 < %5 px")
                                    .arg(page->metaObject()->className())
                                    .arg(row)
                                    .arg(w->metaObject()->className())
                                    .arg(w->height())
                                    .arg(needed);
            }
        }
    }
    // Wrapped text (a model's status line, hints) shown whole, not cut off at the bottom.
    for (QLabel* label : page->findChildren<QLabel*>()) {
        if (!label->wordWrap() || !label->isVisibleTo(page) || label->text().isEmpty())
            continue;
        const int needed = label->heightForWidth(label->width());
        if (label->height() < needed)
            squeezed << QStringLiteral("%1 label \"%2…\": %3 < %4 px")
                            .arg(page->metaObject()->className(), label->text().left(30))
                            .arg(label->height())
                            .arg(needed);
    }
    return squeezed;
}

ldm::Recipe recipeOf(GenerationSettings& settings)
{
    ldm::Recipe recipe;
    settings.fillRecipe(recipe);
    return recipe;
}

} // namespace

class TestFirstMinutes final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().clear(); }

    void settingsStartFromTheModelsDefaultsLikeTheCli()
    {
        GenerationSettings settings(true);
        const ldm::SamplingDefaults cli = ldm::defaultSampling("txt2img");
        ldm::Recipe fresh = recipeOf(settings);
        QCOMPARE(fresh.sampler, cli.sampler);
        QCOMPARE(fresh.steps, cli.steps);
        QCOMPARE(fresh.guidanceScale, cli.guidanceScale);

        // A release with its own settings (the CompVis semantic model: DDIM, 100, eta 1).
        const ldm::SamplingDefaults release{"ddim", 100, 1.0, 1.0};
        settings.adoptModelDefaults(QStringLiteral("semantic"),
                                    ldm::defaultSampling("paint", release));
        ldm::Recipe adopted = recipeOf(settings);
        QCOMPARE(adopted.sampler, std::string("ddim"));
        QCOMPARE(adopted.steps, 100);
        QCOMPARE(adopted.eta, 1.0);
        // The user's change for the same model is kept; another model brings its own.
        ldm::Recipe changed = adopted;
        changed.steps = 30;
        settings.applyRecipe(changed);
        settings.adoptModelDefaults(QStringLiteral("semantic"),
                                    ldm::defaultSampling("paint", release));
        QCOMPARE(recipeOf(settings).steps, 30);
        settings.adoptModelDefaults(QStringLiteral("landscape"), ldm::defaultSampling("paint"));
        QCOMPARE(recipeOf(settings).sampler, cli.sampler);
        QCOMPARE(recipeOf(settings).steps, cli.steps);
    }

    void etaIsOfferedOnlyForTheSamplerThatReadsIt()
    {
        GenerationSettings settings(false);
        ldm::Recipe recipe;
        recipe.eta = 0.5;
        for (const std::string& sampler : ldm::knownSamplerIds()) {
            recipe.sampler = sampler;
            settings.applyRecipe(recipe);
            QCOMPARE(settings.etaEnabled(), sampler == "ddim");
            QCOMPARE(recipeOf(settings).eta, sampler == "ddim" ? 0.5 : 0.0);
        }
    }

    void aRestoredSeedIsNotFixedAfterARestart()
    {
        QTemporaryDir dir;
        QSettings store(dir.filePath(QStringLiteral("state.ini")), QSettings::IniFormat);
        {
            GenerationSettings settings(true);
            ldm::Recipe recipe;
            recipe.seed = 77;
            settings.applyRecipe(recipe);
            QCOMPARE(settings.nextSeed(), 77ULL); // fixed for this session
            settings.saveState(store);
        }
        GenerationSettings restarted(true);
        restarted.restoreState(store);
        QVERIFY(restarted.nextSeed() != restarted.nextSeed()); // random again
        // A seed the user fixed themselves stays fixed.
        {
            GenerationSettings settings(true);
            ldm::Recipe recipe;
            recipe.seed = 78;
            settings.applyRecipe(recipe);
            settings.applyRecipe(recipe);
            auto* mode = settings.findChildren<QComboBox*>().at(1); // sampler, seed mode
            QCOMPARE(mode->currentData().toInt(), int(ldm::ui::SeedMode::Fixed));
            mode->setCurrentIndex(0);
            mode->setCurrentIndex(mode->findData(int(ldm::ui::SeedMode::Fixed)));
            settings.saveState(store);
        }
        GenerationSettings again(true);
        again.restoreState(store);
        QCOMPARE(again.nextSeed(), 78ULL);
    }

    void everyRowIsUsableAt800x600()
    {
        QTemporaryDir dir;
        ldm::bridge::EngineController controller;
        ldm::bridge::GalleryStore gallery(dir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.resize(800, 600);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* tabs = window.findChild<QTabWidget*>();
        const auto minimumHeight = [](QWidget* w) {
            return w ? std::max(w->minimumHeight(), w->minimumSizeHint().height()) : 0;
        };
        qInfo("window %dx%d, its minimum %dx%d; menu %d, tabs %d, jobs dock %d, status bar %d",
              window.width(), window.height(), window.minimumSizeHint().width(),
              window.minimumSizeHint().height(), minimumHeight(window.menuBar()),
              minimumHeight(tabs), minimumHeight(window.findChild<QDockWidget*>()),
              minimumHeight(window.statusBar()));
        for (int i = 0; i < tabs->count(); ++i)
            qInfo("page %d minimum height %d", i, minimumHeight(tabs->widget(i)));
        // The window really is 800 × 600: nothing in it asks for more.
        QCOMPARE(window.size(), QSize(800, 600));
        // Upscale with its longest status line: no upscaler installed.
        ldm::bridge::ModelDescription landscape;
        landscape.key = window.upscalePanel()->modelPicker()->modelKey();
        landscape.tasks = {QStringLiteral("paint")};
        window.upscalePanel()->modelPicker()->showModel(landscape);
        for (const MainWindow::Activity activity : MainWindow::activities()) {
            window.showActivity(activity);
            QApplication::processEvents();
            const QStringList squeezed = squeezedRows(tabs->currentWidget());
            QVERIFY2(squeezed.isEmpty(), qPrintable(squeezed.join(QStringLiteral("; "))));
        }
    }

    void aNewPaintMapHasTheModelsSizeAndAPaintedOneIsKept()
    {
        ldm::ui::PaintPanel panel;
        panel.adoptModelSize(128);
        QCOMPARE(panel.document()->size(), QSize(128, 128));
        QCOMPARE(panel.document()->undoStack()->count(), 0);
        panel.adoptModelSize(256); // still untouched: follows the model
        QCOMPARE(panel.document()->size(), QSize(256, 256));
        panel.document()->newMap(QSize(64, 64), 1); // the user's own map
        panel.adoptModelSize(128);
        QCOMPARE(panel.document()->size(), QSize(64, 64));
    }

    void newMapAsksBeforeDiscardingAModifiedMap()
    {
        ldm::ui::PaintPanel panel;
        panel.document()->newMap(QSize(64, 48), 2);
        QVERIFY(!panel.document()->undoStack()->isClean());
        bool asked = false;
        QTimer::singleShot(0, this, [&asked] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            asked = true;
            box->button(QMessageBox::Cancel)->click();
        });
        panel.newMapAction()->trigger();
        QVERIFY(asked);
        QCOMPARE(panel.document()->size(), QSize(64, 48)); // kept
    }

    void cancelKeepsTheLastResultAndRestoreShowsItsPicture()
    {
        QTemporaryDir dir;
        auto state = std::make_shared<ldm::test::FakeEngineState>();
        state->steps = 3;
        state->stepMicroseconds = 1000;
        ldm::bridge::EngineController controller;
        controller.setEngineFactory(
            [state] { return std::make_unique<ldm::test::FakeEngine>(state); });
        ldm::bridge::GalleryStore gallery(dir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.show();
        window.showActivity(MainWindow::Activity::Prompt);
        QVERIFY(QTest::qWaitFor([&] { return !controller.deviceName().isEmpty(); }, 5000));
        ldm::Recipe recipe;
        recipe.prompt = "a lake at dawn"; // Prompt does not run without one
        recipe.width = 64;
        recipe.height = 64;
        for (const quint64 seed : {11ULL, 12ULL}) {
            recipe.seed = seed;
            window.promptPanel()->applyRecipe(recipe);
            window.generate();
            const bool saved = QTest::qWaitFor(
                [&] { return gallery.items().size() == qsizetype(seed - 10); }, 10000);
            qInfo("seed %llu: %d runs, %d in the gallery", seed, int(state->runsEnded),
                  int(gallery.items().size()));
            QVERIFY(saved);
        }
        ldm::ui::PreviewView* preview = window.promptPanel()->preview();
        QVERIFY(QTest::qWaitFor(
            [&] { return ldm::test::FakeEngine::seedOf(preview->image()) == 12; }, 5000));

        // A slow job: cancel it after its first preview.
        state->steps = 200;
        state->stepMicroseconds = 20000;
        recipe.seed = 13;
        window.promptPanel()->applyRecipe(recipe);
        const int framesBefore = state->framesPosted;
        window.generate();
        QVERIFY(QTest::qWaitFor([&] { return state->framesPosted > framesBefore; }, 10000));
        QVERIFY(QTest::qWaitFor(
            [&] { return ldm::test::FakeEngine::seedOf(preview->image()) == 13; }, 5000));
        controller.cancelAll();
        QVERIFY(QTest::qWaitFor([&] { return state->runsEnded == 3; }, 10000));
        QVERIFY(QTest::qWaitFor(
            [&] { return ldm::test::FakeEngine::seedOf(preview->image()) == 12; }, 5000));
        QCOMPARE(ldm::test::FakeEngine::stepOf(preview->image()), 3); // the finished picture

        // Restore Settings of the first item shows that item, not the latest picture.
        const auto first = std::find_if(gallery.items().begin(), gallery.items().end(),
                                        [](const auto& item) { return item.recipe.seed == 11; });
        QVERIFY(first != gallery.items().end());
        auto* galleryView = window.findChild<ldm::ui::GalleryView*>();
        QVERIFY(galleryView);
        Q_EMIT galleryView->restoreRequested(first->recipe, QString());
        QCOMPARE(ldm::test::FakeEngine::seedOf(preview->image()), 11);

        // A gallery PNG given on the command line restores, whichever page is in front.
        auto* tabs = window.findChild<QTabWidget*>();
        window.showActivity(MainWindow::Activity::Paint);
        window.openFileByContent(gallery.absolutePath(first->imageFile));
        QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(window.promptPanel()));
        // A label map opens in Paint.
        window.showActivity(MainWindow::Activity::Prompt);
        const QString mapPath = dir.filePath(QStringLiteral("map.png"));
        QVERIFY(ldm::bridge::makeLabelMap(64, 64, 1, window.paintPanel()->document()->palette())
                    .save(mapPath));
        window.openFileByContent(mapPath);
        QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(window.paintPanel()));
    }

    void upscaleWithoutAnUpscalerSaysWhatToDo()
    {
        ldm::ui::ModelPicker picker(QStringLiteral("upscale"), QStringLiteral("upscale"));
        ldm::bridge::ModelDescription landscape;
        landscape.key = QStringLiteral("landscape");
        landscape.name = landscape.key;
        landscape.tasks = {QStringLiteral("txt2img"), QStringLiteral("paint")};
        picker.showModel(landscape);
        const QString text = picker.statusText();
        QVERIFY2(!text.contains(QStringLiteral("choose another one")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("No upscaling model is installed")) &&
                     text.contains(QStringLiteral("bsr_sr")) &&
                     text.contains(QStringLiteral("x4-upscaler")) &&
                     text.contains(QStringLiteral("Open checkpoint")),
                 qPrintable(text));
        QVERIFY(!picker.canDoTask());
    }

    void upscaleGeneratesOnlyOnceAnUpscalerIsLoaded()
    {
        QTemporaryDir dir;
        auto state = std::make_shared<ldm::test::ModelsEngineState>();
        state->models = ldm::test::describedModels();
        state->models.remove(QStringLiteral("x4")); // installed: models that cannot upscale
        state->models.remove(QStringLiteral("bsr_sr"));
        ldm::bridge::EngineController controller;
        controller.setEngineFactory(
            [state] { return std::make_unique<ldm::test::ModelsEngine>(state); });
        ldm::bridge::GalleryStore gallery(dir.path());
        QVERIFY(gallery.load().ok());
        MainWindow window(&controller, &gallery);
        window.show();
        window.showActivity(MainWindow::Activity::Upscale);
        ldm::ui::UpscalePanel* panel = window.upscalePanel();
        ldm::ui::ModelPicker* picker = panel->modelPicker();
        QVERIFY(QTest::qWaitFor([&] { return !picker->model().key.isEmpty(); }, 5000));
        QImage small(16, 12, QImage::Format_RGB888);
        small.fill(QColor(40, 90, 160));
        const QString input = dir.filePath(QStringLiteral("small.png"));
        QVERIFY(small.save(input));
        QVERIFY(panel->openImage(input));

        // The page says so and its Generate button is disabled; Generate does nothing.
        QVERIFY2(picker->statusText().contains(QStringLiteral("No upscaling model is installed")),
                 qPrintable(picker->statusText()));
        QToolButton* button = nullptr;
        for (QToolButton* candidate : panel->findChildren<QToolButton*>())
            if (candidate->defaultAction() && candidate->defaultAction()->text() == "&Generate")
                button = candidate;
        QVERIFY(button);
        QVERIFY(!button->isEnabled());
        window.generate();
        QTest::qWait(50);
        QCOMPARE(state->runs, 0);

        // Opening a super-resolution checkpoint enables it once the model has loaded.
        const QString upscaler = dir.filePath(QStringLiteral("bsr_sr.ckpt"));
        ldm::bridge::ModelDescription& sr = state->models[upscaler];
        sr = ldm::test::describedModels().value(QStringLiteral("bsr_sr"));
        sr.key = upscaler;
        picker->addCheckpoint(upscaler);
        QVERIFY(QTest::qWaitFor([&] { return picker->canDoTask(); }, 5000));
        QVERIFY(button->isEnabled());
        button->click();
        QVERIFY(QTest::qWaitFor([&] { return gallery.items().size() == 1; }, 5000));
        QCOMPARE(state->last().recipe.task, std::string("upscale"));
        QCOMPARE(state->last().model, upscaler);

        // The Generate action follows the page in front: Prompt may still generate.
        window.showActivity(MainWindow::Activity::Prompt);
        QVERIFY(button->defaultAction()->isEnabled());
    }

    void aCheckpointThatFailsToLoadIsNotOfferedAgain()
    {
        QTemporaryDir dir;
        const QString broken = dir.filePath(QStringLiteral("broken.safetensors"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a checkpoint");
        file.close();
        {
            ldm::ui::ModelPicker picker(QStringLiteral("txt2img"), QStringLiteral("prompt"));
            picker.addCheckpoint(broken);
            QCOMPARE(picker.modelKey(), broken);
            QVERIFY(picker.forgetCheckpoint(broken));
            QVERIFY(!picker.forgetCheckpoint(QStringLiteral("landscape"))); // shipped: stays
        }
        ldm::ui::ModelPicker next(QStringLiteral("txt2img"), QStringLiteral("prompt"));
        next.setShippedModels({QStringLiteral("landscape")}, QStringLiteral("landscape"));
        QCOMPARE(next.modelKey(), QStringLiteral("landscape"));
        QCOMPARE(next.findChild<QComboBox*>()->findData(broken), -1);
    }
};

QTEST_MAIN(TestFirstMinutes)
#include "tst_first_minutes.moc"
