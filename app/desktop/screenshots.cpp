// SPDX-License-Identifier: GPL-3.0-or-later
#include "screenshots.h"

#include "canvas/label_document.h"
#include "canvas/raster.h"
#include "main_window.h"
#include "panels/paint_panel.h"
#include "panels/upscale_panel.h"

#include <QApplication>
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

} // namespace

int saveScreenshots(ui::MainWindow& window, const QString& dir, const QString& upscaleInput)
{
    if (!QDir().mkpath(dir)) {
        std::fprintf(stderr, "cannot create %s\n", qPrintable(dir));
        return 1;
    }
    window.resize(1360, 860);
    paintSampleMap(*window.paintPanel()->document());
    if (!upscaleInput.isEmpty())
        window.upscalePanel()->openImage(upscaleInput);
    int failures = 0;
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
