// SPDX-License-Identifier: GPL-3.0-or-later
#include "screenshots.h"

#include "bridge/engine_controller.h"
#include "canvas/label_document.h"
#include "canvas/raster.h"
#include "main_window.h"
#include "panels/model_picker.h"
#include "panels/paint_panel.h"
#include "panels/prompt_panel.h"
#include "panels/upscale_panel.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QPixmap>
#include <QThread>

#include <cmath>
#include <cstdio>

namespace ldm::desktop {

namespace {

// A hand-made landscape so the Paint screenshot shows real class painting, drawn with the
// same raster functions the tools use.
void paintSampleMap(ui::LabelDocument& document)
{
    const auto& palette = document.palette();
    const auto id = [&palette](const char* name) {
        return static_cast<uchar>(qMax(0, palette.idOfName(QString::fromLatin1(name))));
    };
    document.newMap(QSize(512, 384), id("sky"));
    document.beginStroke();
    QImage& ids = document.strokeImage();
    for (int x = 0; x < ids.width(); ++x) {
        const int ridge = 170 + static_cast<int>(60 * std::sin(x / 70.0) + 25 * std::sin(x / 23.0));
        ui::raster::fillRect(ids, QPoint(x, ridge), QPoint(x, 383), id("mountain"));
        ui::raster::fillRect(ids, QPoint(x, ridge), QPoint(x, ridge + 12), id("snow"));
        const int shore = 290 + static_cast<int>(8 * std::sin(x / 40.0));
        ui::raster::fillRect(ids, QPoint(x, shore), QPoint(x, 383), id("water"));
        const int grass = 330 + static_cast<int>(14 * std::sin(x / 55.0 + 1.0));
        ui::raster::fillRect(ids, QPoint(x, grass), QPoint(x, 383), id("grass"));
    }
    for (int i = 0; i < 9; ++i)
        ui::raster::stamp(ids, QPoint(40 + i * 26, 320 + (i % 3) * 6), 22,
                          ui::raster::BrushShape::Round, id("forest"));
    ui::raster::stamp(ids, QPoint(380, 60), 50, ui::raster::BrushShape::Round, id("cloud"));
    ui::raster::stamp(ids, QPoint(415, 70), 40, ui::raster::BrushShape::Round, id("cloud"));
    ui::raster::fillRect(ids, QPoint(300, 360), QPoint(511, 383), id("sand"));
    document.touch(ids.rect());
    document.endStroke(QStringLiteral("sample"));
}

void settle()
{
    for (int i = 0; i < 5; ++i) {
        QApplication::processEvents();
        QThread::msleep(40);
    }
}

// Runs the event loop until `done` or `seconds` pass; true when done.
template <typename Done> bool waitFor(Done done, int seconds)
{
    const QDeadlineTimer deadline(seconds * 1000);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
    return true;
}

// With a model installed, the screenshots show real work: the Paint page's sample map turned
// into a picture (and the prompt's, when the model reads text). Returns false on a failure.
bool generateSamples(ui::MainWindow& window, bridge::EngineController& controller)
{
    if (!controller.hasEngine() ||
        !waitFor([&] { return !controller.deviceName().isEmpty() || !controller.hasEngine(); },
                 120) ||
        controller.shippedModels().isEmpty()) {
        std::printf("no engine or no shipped model: screenshots without generated pictures\n");
        return true;
    }
    bool ok = true;
    for (const auto activity :
         {ui::MainWindow::Activity::Paint, ui::MainWindow::Activity::Prompt}) {
        window.showActivity(activity);
        ui::ModelPicker* picker = activity == ui::MainWindow::Activity::Paint
                                      ? window.paintPanel()->modelPicker()
                                      : window.promptPanel()->modelPicker();
        const QString task = picker->task();
        if (!waitFor(
                [&] { return picker->model().isValid() || controller.loadingModel().isEmpty(); },
                300) ||
            !picker->model().canDo(task))
            continue;
        Recipe recipe;
        recipe.task = task.toStdString();
        recipe.steps = 25;
        recipe.seed = 42;
        recipe.guidanceScale = 3.0;
        recipe.width = 256;
        recipe.height = 256;
        if (activity == ui::MainWindow::Activity::Paint) {
            paintSampleMap(*window.paintPanel()->document());
            window.paintPanel()->applyRecipe(recipe);
        } else {
            recipe.prompt = "snowy mountains above a lake at sunrise";
            window.promptPanel()->applyRecipe(recipe);
        }
        bool ended = false;
        const auto done = QObject::connect(&controller, &bridge::EngineController::queueChanged,
                                           [&] { ended = controller.jobs().isEmpty(); });
        window.generate();
        if (!waitFor([&] { return ended; }, 900)) {
            std::fprintf(stderr, "generating on the %s page timed out\n",
                         qPrintable(ui::MainWindow::activityKey(activity)));
            ok = false;
        }
        QObject::disconnect(done);
    }
    return ok;
}

} // namespace

int saveScreenshots(ui::MainWindow& window, bridge::EngineController& controller,
                    const QString& dir, const QString& upscaleInput,
                    const QString& promptCheckpoint)
{
    if (!QDir().mkpath(dir)) {
        std::fprintf(stderr, "cannot create %s\n", qPrintable(dir));
        return 1;
    }
    window.resize(1360, 860);
    paintSampleMap(*window.paintPanel()->document());
    if (!upscaleInput.isEmpty())
        window.upscalePanel()->openImage(upscaleInput);
    if (!promptCheckpoint.isEmpty())
        window.promptPanel()->modelPicker()->addCheckpoint(promptCheckpoint);
    int failures = generateSamples(window, controller) ? 0 : 1;
    for (const auto activity : ui::MainWindow::activities()) {
        window.showActivity(activity);
        settle();
        const QString path =
            QDir(dir).filePath(ui::MainWindow::activityKey(activity) + QStringLiteral(".png"));
        if (!window.grab().save(path)) {
            std::fprintf(stderr, "cannot save %s\n", qPrintable(path));
            ++failures;
        } else {
            std::printf("%s\n", qPrintable(path));
        }
    }
    return failures ? 1 : 0;
}

} // namespace ldm::desktop
