// SPDX-License-Identifier: GPL-3.0-or-later
#include "bridge/engine_controller.h"
#include "bridge/gallery_store.h"
#include "bridge/image_io.h"
#include "engine_hook.h"
#include "first_start.h"
#include "i18n.h"
#include "main_window.h"
#include "screenshots.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMessageBox>
#include <QTimer>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LatentCanvas"));
    QApplication::setApplicationName(QStringLiteral("latent-canvas"));
    QApplication::setApplicationDisplayName(QStringLiteral("Latent Canvas"));
    QApplication::setApplicationVersion(QStringLiteral(LDM_VERSION_STRING));
    QApplication::setDesktopFileName(QStringLiteral("latent-canvas"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Paint, prompt and upscale with latent diffusion models."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption screenshotDir(QStringLiteral("screenshot-dir"),
                                     QStringLiteral("Save a screenshot of each page and exit."),
                                     QStringLiteral("dir"));
    QCommandLineOption screenshotCheckpoint(
        QStringLiteral("screenshot-checkpoint"),
        QStringLiteral("With --screenshot-dir: open this checkpoint on the Prompt page first."),
        QStringLiteral("file"));
    QCommandLineOption screenshotControlNet(
        QStringLiteral("screenshot-controlnet"),
        QStringLiteral("With --screenshot-dir and --screenshot-checkpoint: only the Paint page, "
                       "painting through this segmentation ControlNet."),
        QStringLiteral("file"));
    screenshotControlNet.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption screenshotSemantic(
        QStringLiteral("screenshot-semantic"),
        QStringLiteral("With --screenshot-dir: only the Paint page, on this 182-class "
                       "semantic-synthesis checkpoint (COCO-Stuff palette)."),
        QStringLiteral("file"));
    screenshotSemantic.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption firstStartDir(
        QStringLiteral("first-start-dir"),
        QStringLiteral("Time the first Generate on Prompt and Paint with the settings they open "
                       "with, save screenshots of the first start and of every page at "
                       "800 x 600, and exit."),
        QStringLiteral("dir"));
    QCommandLineOption language(QStringLiteral("lang"),
                                QStringLiteral("Interface language for this run (en, vi)."),
                                QStringLiteral("code"));
    QCommandLineOption galleryDir(QStringLiteral("gallery"),
                                  QStringLiteral("Use this gallery folder instead of the default."),
                                  QStringLiteral("dir"));
    parser.addOptions({screenshotDir, screenshotCheckpoint, screenshotControlNet,
                       screenshotSemantic, firstStartDir, language, galleryDir});
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QStringLiteral("A picture to read settings from, a map or an "
                                                "image to upscale."));
    parser.process(app);

    ldm::ui::initResources();
    const QString requested =
        parser.isSet(language) ? parser.value(language) : ldm::ui::AppSettings::load().language;
    ldm::ui::installTranslators(app, requested);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/latent-canvas.svg")));

    ldm::bridge::EngineController controller;
    ldm::desktop::attachEngine(controller);
    ldm::bridge::GalleryStore gallery(parser.value(galleryDir));
    const auto loaded = gallery.load();

    ldm::ui::MainWindow window(&controller, &gallery);
    const QStringList files = parser.positionalArguments();
    if (parser.isSet(screenshotDir) &&
        (parser.isSet(screenshotControlNet) || parser.isSet(screenshotSemantic)))
        return ldm::desktop::savePaintModelScreenshots(
            window, controller, parser.value(screenshotDir), parser.value(screenshotCheckpoint),
            parser.value(screenshotControlNet), parser.value(screenshotSemantic));
    if (parser.isSet(firstStartDir))
        return ldm::desktop::saveFirstStartScreenshots(window, controller,
                                                       parser.value(firstStartDir));
    if (parser.isSet(screenshotDir))
        return ldm::desktop::saveScreenshots(window, controller, parser.value(screenshotDir),
                                             files.value(0), parser.value(screenshotCheckpoint));
    window.show();
    if (!loaded.ok()) {
        QTimer::singleShot(0, &window, [&window, message = ldm::bridge::errorText(loaded.error())] {
            QMessageBox::warning(&window, QApplication::translate("main", "Gallery Unavailable"),
                                 message);
        });
    }
    if (!files.isEmpty())
        QTimer::singleShot(0, &window,
                           [&window, file = files.first()] { window.openFileByContent(file); });
    return app.exec();
}
