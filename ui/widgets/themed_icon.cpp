// SPDX-License-Identifier: GPL-3.0-or-later
#include "themed_icon.h"

#include <QApplication>
#include <QImage>
#include <QPalette>
#include <QPixmap>

namespace ldm::ui {

namespace {

// The one line colour every bundled icon uses.
constexpr QRgb LineColor = qRgb(0x4b, 0x55, 0x63);

bool isLineColor(QRgb pixel)
{
    // Antialiased edges keep the colour and vary alpha; allow for rounding in the renderer.
    const auto near = [](int a, int b) { return qAbs(a - b) <= 6; };
    return near(qRed(pixel), qRed(LineColor)) && near(qGreen(pixel), qGreen(LineColor)) &&
           near(qBlue(pixel), qBlue(LineColor));
}

} // namespace

bool isDarkTheme()
{
    return QApplication::palette().color(QPalette::Window).lightness() < 128;
}

QIcon themedIcon(const QString& name)
{
    QIcon source(QStringLiteral(":/icons/%1.svg").arg(name));
    if (!isDarkTheme() || source.isNull())
        return source;
    const QColor ink = QApplication::palette().color(QPalette::WindowText);
    QIcon icon;
    // The sizes the app shows icons at (menus, tool bars, tabs, the big Generate buttons),
    // at 1x and 2x.
    for (const int side : {16, 20, 22, 24, 32, 40, 44, 48, 64}) {
        QImage image =
            source.pixmap(QSize(side, side)).toImage().convertToFormat(QImage::Format_ARGB32);
        for (int y = 0; y < image.height(); ++y) {
            auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
            for (int x = 0; x < image.width(); ++x) {
                if (qAlpha(line[x]) > 0 && isLineColor(line[x]))
                    line[x] = qRgba(ink.red(), ink.green(), ink.blue(), qAlpha(line[x]));
            }
        }
        icon.addPixmap(QPixmap::fromImage(image));
    }
    return icon;
}

} // namespace ldm::ui
