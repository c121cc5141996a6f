// SPDX-License-Identifier: GPL-3.0-or-later
#include "screenshots.h"

#include "screenshot_support.h"

#include "bridge/engine_controller.h"
#include "canvas/label_document.h"
#include "canvas/raster.h"
#include "main_window.h"
#include "canvas/mask_document.h"
#include "panels/control_net_box.h"
#include "panels/edit_panel.h"
#include "panels/generation_settings.h"
#include "panels/model_picker.h"
#include "panels/paint_panel.h"
#include "panels/preview_view.h"
#include "panels/prompt_fields.h"
#include "panels/prompt_panel.h"
#include "panels/upscale_panel.h"

#include <QDir>

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
        if (!generateAndWait(window, controller)) {
            std::fprintf(stderr, "generating on the %s page timed out\n",
                         qPrintable(ui::MainWindow::activityKey(activity)));
            ok = false;
        }
    }
    return ok;
}

// The Edit page in each of its modes, on the picture the Paint page made (a drawn stand-in
// without an engine): inpaint a masked lake, outpaint both sides, redraw it image to image.
// Writes edit-inpaint.png, edit-outpaint.png and edit-img2img.png; returns the failures.
int saveEditScreenshots(ui::MainWindow& window, bridge::EngineController& controller,
                        const QString& dir)
{
    // At most 256 px a side: three CPU edits of the 512 px landscape would take minutes each.
    QImage picture = window.paintPanel()->preview()->image();
    if (picture.width() > 256 || picture.height() > 256)
        picture = picture.scaled(256, 256, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    if (picture.isNull()) {
        picture = QImage(256, 256, QImage::Format_RGB888);
        for (int y = 0; y < 256; ++y)
            for (int x = 0; x < 256; ++x)
                picture.setPixelColor(x, y, y < 150 ? QColor(120 + y / 3, 170 + y / 4, 230)
                                                    : QColor(70, 120 + x / 8, 60));
    }
    ui::EditPanel* edit = window.editPanel();
    window.showActivity(ui::MainWindow::Activity::Edit);
    const bool engine = controller.hasEngine() && !controller.shippedModels().isEmpty();
    if (engine && !waitFor([&] { return edit->modelPicker()->model().isValid() ||
                                        controller.loadingModel().isEmpty(); },
                           300))
        return 1;
    Recipe recipe;
    recipe.steps = 25;
    recipe.seed = 7;
    recipe.guidanceScale = 3.0;
    recipe.sampler = "dpmpp2m";
    edit->applyRecipe(recipe);
    edit->setFeather(4);
    struct Shot
    {
        ui::EditPanel::Mode mode;
        const char* key;
        const char* prompt;
        double strength;
    };
    const Shot shots[] = {
        {ui::EditPanel::Mode::Inpaint, "edit-inpaint", "a calm blue lake", 1.0},
        {ui::EditPanel::Mode::Outpaint, "edit-outpaint", "mountains and forest", 1.0},
        {ui::EditPanel::Mode::ImageToImage, "edit-img2img", "snowy mountains at sunset", 0.6},
    };
    int failures = 0;
    for (const Shot& shot : shots) {
        edit->setPicture(picture, QStringLiteral("landscape.png"));
        edit->setMode(shot.mode);
        edit->setStrength(shot.strength);
        edit->promptFields()->setPrompts(QString::fromLatin1(shot.prompt), QString());
        if (shot.mode == ui::EditPanel::Mode::Inpaint) {
            // A lake-shaped mask over the lower middle of the picture.
            ui::MaskDocument* document = edit->document();
            document->beginStroke();
            const QSize size = document->size();
            for (int i = 0; i < 7; ++i) {
                const QPoint centre(size.width() * (28 + 7 * i) / 100,
                                    size.height() * (72 + (i % 3) * 3) / 100);
                document->touch(ui::raster::stamp(document->strokeMask(), centre,
                                                  size.width() / 6, ui::raster::BrushShape::Round,
                                                  255));
            }
            document->endStroke(QStringLiteral("lake"));
        } else if (shot.mode == ui::EditPanel::Mode::Outpaint) {
            edit->setOutpaint(picture.width() / 4 / 8 * 8, true, false, true, false);
        }
        if (engine && !generateAndWait(window, controller)) {
            std::fprintf(stderr, "editing (%s) timed out\n", shot.key);
            ++failures;
        }
        if (!grabTo(window, QDir(dir).filePath(QString::fromLatin1(shot.key) + QStringLiteral(".png"))))
            ++failures;
    }
    return failures;
}

// The Paint page on one of a user's files: the sample landscape carried over to the model's
// palette by class name (the status bar says what had no match), then generated.
bool paintModelShot(ui::MainWindow& window, bridge::EngineController& controller,
                    const QString& path, const QString& checkpoint, const QString& controlNet)
{
    ui::PaintPanel* paint = window.paintPanel();
    window.showActivity(ui::MainWindow::Activity::Paint);
    paint->document()->setPalette(bridge::ClassPalette::builtin());
    paintSampleMap(*paint->document());
    paint->modelPicker()->addCheckpoint(checkpoint);
    if (!waitFor([&] { return paint->modelPicker()->model().key == checkpoint; }, 300)) {
        std::fprintf(stderr, "cannot load %s: %s\n", qPrintable(checkpoint),
                     qPrintable(paint->modelPicker()->statusText()));
        return false;
    }
    if (!controlNet.isEmpty())
        paint->controlNet()->setControlFile(controlNet);
    Recipe recipe;
    recipe.task = "paint";
    recipe.prompt = controlNet.isEmpty() ? "" : "a mountain lake below snowy peaks, photograph";
    recipe.sampler = "ddim";
    recipe.steps = 10;
    recipe.seed = 42;
    recipe.guidanceScale = controlNet.isEmpty() ? 1.0 : 5.0;
    paint->applyRecipe(recipe);
    if (const QString problem = paint->problem(); !problem.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(problem));
        return false;
    }
    if (!generateAndWait(window, controller)) {
        std::fprintf(stderr, "painting with %s timed out\n", qPrintable(checkpoint));
        return false;
    }
    return grabTo(window, path);
}

} // namespace

int savePaintModelScreenshots(ui::MainWindow& window, bridge::EngineController& controller,
                              const QString& dir, const QString& sdCheckpoint,
                              const QString& controlNet, const QString& semanticCheckpoint)
{
    if (!QDir().mkpath(dir) || !controller.hasEngine() ||
        !waitFor([&] { return !controller.deviceName().isEmpty(); }, 120)) {
        std::fprintf(stderr, "no engine or no folder %s\n", qPrintable(dir));
        return 1;
    }
    window.resize(1360, 860);
    int failures = 0;
    const QString controlShot = QDir(dir).filePath(QStringLiteral("paint-controlnet.png"));
    if (!sdCheckpoint.isEmpty() && !controlNet.isEmpty() &&
        !paintModelShot(window, controller, controlShot, sdCheckpoint, controlNet))
        ++failures;
    const QString cocoShot = QDir(dir).filePath(QStringLiteral("paint-cocostuff.png"));
    if (!semanticCheckpoint.isEmpty() &&
        !paintModelShot(window, controller, cocoShot, semanticCheckpoint, QString()))
        ++failures;
    return failures ? 1 : 0;
}

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
        if (activity == ui::MainWindow::Activity::Edit)
            continue; // one screenshot per mode, below
        window.showActivity(activity);
        if (!grabTo(window, QDir(dir).filePath(ui::MainWindow::activityKey(activity) +
                                               QStringLiteral(".png"))))
            ++failures;
    }
    failures += saveEditScreenshots(window, controller, dir);
    return failures ? 1 : 0;
}

} // namespace ldm::desktop
