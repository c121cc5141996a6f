// SPDX-License-Identifier: GPL-3.0-or-later
#include "label_map_io.h"

#include "image_io.h"

#include <QCoreApplication>
#include <QHash>
#include <QImageWriter>
#include <QSaveFile>

#include <array>

namespace ldm::bridge {

namespace {

// Free functions translate through this; lupdate reads the context from it.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ldm::bridge::LabelMap)
};

Error fileError(const QString& message)
{
    return makeError(ErrorCode::InvalidFile, message.toStdString());
}

} // namespace

QImage makeLabelMap(int width, int height, int classId, const ClassPalette& palette)
{
    QImage map(width, height, QImage::Format_Indexed8);
    if (map.isNull())
        return map;
    map.setColorTable(palette.colorTable());
    map.fill(static_cast<uint>(classId));
    return map;
}

Result<void> saveLabelMap(const QImage& ids, const ClassPalette& palette, const QString& path)
{
    if (ids.format() != QImage::Format_Indexed8)
        return makeError(ErrorCode::Internal, "label map is not an indexed image");
    QImage out = ids;
    out.setColorTable(palette.colorTable());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fileError(Text::tr("Cannot write %1: %2").arg(path, file.errorString()));
    QImageWriter writer(&file, "png");
    if (!writer.write(out)) {
        file.cancelWriting();
        return fileError(Text::tr("Cannot write %1: %2").arg(path, writer.errorString()));
    }
    if (!file.commit())
        return fileError(Text::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

Result<LabelMapScan> loadLabelMap(const QString& path, const ClassPalette& palette)
{
    auto image = readImageChecked(path);
    if (!image.ok())
        return image.error();
    return labelMapFromImage(image.value(), palette);
}

Result<LabelMapScan> labelMapFromImage(const QImage& image, const ClassPalette& palette)
{
    const int w = image.width();
    const int h = image.height();
    if (w % LabelMapMultiple || h % LabelMapMultiple || w > LabelMapMaxSide ||
        h > LabelMapMaxSide || w == 0 || h == 0) {
        return fileError(Text::tr("A label map must be between %1 and %2 pixels on each side and a "
                                  "multiple of %1; this one is %3 × %4.")
                             .arg(LabelMapMultiple)
                             .arg(LabelMapMaxSide)
                             .arg(w)
                             .arg(h));
    }

    LabelMapScan scan;
    scan.ids = makeLabelMap(w, h, 0, palette);
    if (scan.ids.isNull())
        return makeError(ErrorCode::OutOfMemory, "not enough memory for the label map");

    // Indexed files get a per-index lookup table; everything else goes through RGB32 with a
    // per-colour cache, so even a 4096² photo-like map is one hash lookup per new colour.
    QHash<QRgb, int> classOfColor;
    const auto resolve = [&](QRgb rgb) {
        rgb |= 0xff000000u;
        const auto it = classOfColor.constFind(rgb);
        if (it != classOfColor.constEnd())
            return it.value();
        int id = palette.exactClass(rgb);
        if (id < 0) {
            scan.unknownColors.append(rgb);
            id = palette.nearestClass(rgb) | 0x100; // flag: unknown, counted per pixel
        }
        classOfColor.insert(rgb, id);
        return id;
    };

    if (image.format() == QImage::Format_Indexed8) {
        const QVector<QRgb> table = image.colorTable();
        std::array<int, 256> lut{};
        std::array<bool, 256> used{};
        for (int y = 0; y < h; ++y) {
            const uchar* src = image.constScanLine(y);
            for (int x = 0; x < w; ++x)
                used[src[x]] = true;
        }
        for (int i = 0; i < 256; ++i) {
            if (used[i])
                lut[i] = resolve(i < table.size() ? table[i] : qRgb(0, 0, 0));
        }
        for (int y = 0; y < h; ++y) {
            const uchar* src = image.constScanLine(y);
            uchar* dst = scan.ids.scanLine(y);
            for (int x = 0; x < w; ++x) {
                const int id = lut[src[x]];
                scan.unknownPixels += id >> 8;
                dst[x] = static_cast<uchar>(id & 0xff);
            }
        }
    } else {
        const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
        for (int y = 0; y < h; ++y) {
            const auto* src = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
            uchar* dst = scan.ids.scanLine(y);
            QRgb lastColor = 0;
            int lastId = -1;
            for (int x = 0; x < w; ++x) {
                if (lastId < 0 || src[x] != lastColor) {
                    lastColor = src[x];
                    lastId = resolve(lastColor);
                }
                scan.unknownPixels += lastId >> 8;
                dst[x] = static_cast<uchar>(lastId & 0xff);
            }
        }
    }
    return scan;
}

} // namespace ldm::bridge
