// SPDX-License-Identifier: GPL-3.0-or-later
// What a newcomer sees and waits for: the window of a fresh profile, the first Generate on the
// Prompt and Paint pages with the settings they open with, and every page at 800 × 600.
#include "first_start.h"

#include "screenshot_support.h"

#include "bridge/engine_controller.h"
#include "canvas/label_document.h"
#include "canvas/raster.h"
#include "main_window.h"
#include "panels/model_picker.h"
#include "panels/paint_panel.h"
#include "panels/prompt_fields.h"
#include "panels/prompt_panel.h"

#include <QDir>
#include <QElapsedTimer>

#include <cstdio>

namespace ldm::desktop {

namespace {

double secondsOf(const QElapsedTimer& timer)
{
    return static_cast<double>(timer.nsecsElapsed()) / 1e9;
}

// Sky over mountains over water, as a person paints a first map: on the map the page opened
// with (its size is the model's), not a new one.
void paintSkyMountainWater(ui::LabelDocument& document)
{
    const auto& palette = document.palette();
    const auto id = [&palette](const char* name) {
        return static_cast<uchar>(qMax(0, palette.idOfName(QString::fromLatin1(name))));
    };
    const QSize size = document.size();
    const int w = size.width() - 1;
    document.beginStroke();
    QImage& ids = document.strokeImage();
    ui::raster::fillRect(ids, QPoint(0, 0), QPoint(w, size.height() / 2), id("sky"));
    ui::raster::fillRect(ids, QPoint(0, size.height() / 3), QPoint(w, size.height() * 2 / 3),
                         id("mountain"));
    ui::raster::fillRect(ids, QPoint(0, size.height() * 2 / 3), QPoint(w, size.height() - 1),
                         id("water"));
    document.touch(ids.rect());
    document.endStroke(QStringLiteral("first map"));
}

// The page's model is loaded (or failed); false after `seconds`.
bool waitForModel(ui::ModelPicker* picker, bridge::EngineController& controller, int seconds)
{
    return waitFor(
        [&] {
            return picker->model().isValid() ||
                   (controller.loadingModel().isEmpty() && !picker->statusText().isEmpty() &&
                    !controller.modelLoadError(picker->modelKey()).isEmpty());
        },
        seconds);
}

// Presses Generate on the page in front and reports how long the picture took and with what.
bool timedGenerate(ui::MainWindow& window, bridge::EngineController& controller, const char* page)
{
    Recipe made;
    const auto finished = QObject::connect(
        &controller, &bridge::EngineController::jobFinished,
        [&made](bridge::JobId, const QImage&, const Recipe& recipe) { made = recipe; });
    QElapsedTimer timer;
    timer.start();
    const bool done = generateAndWait(window, controller);
    const double seconds = secondsOf(timer);
    QObject::disconnect(finished);
    if (!done || made.width == 0) {
        std::fprintf(stderr, "first Generate on %s: no picture\n", page);
        return false;
    }
    std::printf("first Generate on %s: %.2f s (%d x %d, %s, %d steps, guidance %.1f, "
                "seed %llu)\n",
                page, seconds, made.width, made.height, made.sampler.c_str(), made.steps,
                made.guidanceScale, static_cast<unsigned long long>(made.seed));
    return true;
}

} // namespace

int saveFirstStartScreenshots(ui::MainWindow& window, bridge::EngineController& controller,
                              const QString& dir)
{
    if (!QDir().mkpath(dir)) {
        std::fprintf(stderr, "cannot create %s\n", qPrintable(dir));
        return 1;
    }
    QElapsedTimer sinceStart;
    sinceStart.start();
    window.show(); // the size and page a fresh profile opens with
    window.showActivity(ui::MainWindow::Activity::Prompt);
    int failures = 0;
    const bool engine =
        controller.hasEngine() &&
        waitFor([&] { return !controller.deviceName().isEmpty() || !controller.hasEngine(); },
                120) &&
        !controller.shippedModels().isEmpty();
    ui::ModelPicker* promptModel = window.promptPanel()->modelPicker();
    if (engine && waitForModel(promptModel, controller, 300))
        std::printf("window shown to model ready: %.2f s (%s)\n", secondsOf(sinceStart),
                    qPrintable(promptModel->modelKey()));
    std::printf("window %d x %d\n", window.width(), window.height());
    if (!grabTo(window, QDir(dir).filePath(QStringLiteral("first-start.png"))))
        ++failures;
    if (engine) {
        window.promptPanel()->promptFields()->setPrompts(
            QStringLiteral("snowy mountains above a lake at sunrise"), QString());
        if (!timedGenerate(window, controller, "Prompt") ||
            !grabTo(window, QDir(dir).filePath(QStringLiteral("first-prompt.png"))))
            ++failures;
        window.showActivity(ui::MainWindow::Activity::Paint);
        waitForModel(window.paintPanel()->modelPicker(), controller, 300);
        paintSkyMountainWater(*window.paintPanel()->document());
        if (!timedGenerate(window, controller, "Paint") ||
            !grabTo(window, QDir(dir).filePath(QStringLiteral("first-paint.png"))))
            ++failures;
    }
    window.resize(800, 600);
    settle();
    std::printf("window resized to 800 x 600: %d x %d\n", window.width(), window.height());
    if (window.size() != QSize(800, 600))
        ++failures;
    for (const auto activity : ui::MainWindow::activities()) {
        window.showActivity(activity);
        const QString name =
            QStringLiteral("800x600-%1.png").arg(ui::MainWindow::activityKey(activity));
        if (!grabTo(window, QDir(dir).filePath(name)))
            ++failures;
    }
    return failures ? 1 : 0;
}

} // namespace ldm::desktop
