// SPDX-License-Identifier: GPL-3.0-or-later
#include "bridge/class_palette.h"
#include "bridge/image_engine.h"
#include "bridge/image_io.h"
#include "bridge/label_map_io.h"

#include <QFile>
#include <QImageReader>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using ldm::bridge::ClassPalette;

namespace {

quint32 crc32(const QByteArray& bytes)
{
    quint32 crc = 0xffffffffu;
    for (const char byte : bytes) {
        crc ^= static_cast<quint8>(byte);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void putBigEndian(QByteArray& bytes, int offset, quint32 value)
{
    for (int i = 0; i < 4; ++i)
        bytes[offset + i] = static_cast<char>((value >> (24 - 8 * i)) & 0xff);
}

} // namespace

class TestLabelMapIo final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinPaletteLoads()
    {
        const ClassPalette palette = ClassPalette::builtin();
        QCOMPARE(palette.name(), QStringLiteral("landscape"));
        QCOMPARE(palette.classes().size(), 10);
        QCOMPARE(palette.idOfName(QStringLiteral("Sky")), 0);
        QCOMPARE(palette.exactClass(qRgb(0x1e, 0x50, 0xc8)), 5);
        QCOMPARE(palette.nearestClass(qRgb(0x20, 0x52, 0xc0)), 5);
        QCOMPARE(palette.colorTable().size(), 256);
    }

    void badPalettesAreRejected()
    {
        QVERIFY(!ClassPalette::fromJson("nope").ok());
        QVERIFY(!ClassPalette::fromJson(R"({"classes": []})").ok());
        QVERIFY(!ClassPalette::fromJson(
                     R"({"classes": [{"id": 0, "name": "a", "color": "#000000"},
                                     {"id": 0, "name": "b", "color": "#ffffff"}]})")
                     .ok());
        QVERIFY(!ClassPalette::fromJson(
                     R"({"classes": [{"id": 300, "name": "a", "color": "#000000"}]})")
                     .ok());
    }

    void saveLoadRoundTripIsExact()
    {
        const ClassPalette palette = ClassPalette::builtin();
        QImage map = ldm::bridge::makeLabelMap(72, 40, 0, palette);
        QRandomGenerator rng(42);
        for (int y = 0; y < map.height(); ++y) {
            for (int x = 0; x < map.width(); ++x)
                map.setPixel(x, y, rng.bounded(10));
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("map.png"));
        QVERIFY(ldm::bridge::saveLabelMap(map, palette, path).ok());
        QCOMPARE(QImageReader(path).imageFormat(), QImage::Format_Indexed8);
        const auto scan = ldm::bridge::loadLabelMap(path, palette);
        QVERIFY(scan.ok());
        QVERIFY(scan->unknownColors.isEmpty());
        QCOMPARE(scan->unknownPixels, 0);
        QCOMPARE(ldm::bridge::labelIds(scan->ids), ldm::bridge::labelIds(map));
    }

    void rgbMapWithUnknownColoursIsReported()
    {
        const ClassPalette palette = ClassPalette::builtin();
        QImage rgb(16, 8, QImage::Format_RGB32);
        rgb.fill(qRgb(0x64, 0xc8, 0x3c));           // grass
        rgb.setPixel(0, 0, qRgb(0x20, 0x52, 0xc0)); // almost water
        rgb.setPixel(1, 0, qRgb(0x20, 0x52, 0xc0));
        rgb.setPixel(2, 0, qRgb(250, 250, 250)); // almost snow
        const auto scan = ldm::bridge::labelMapFromImage(rgb, palette);
        QVERIFY(scan.ok());
        QCOMPARE(scan->unknownColors.size(), 2);
        QCOMPARE(scan->unknownPixels, 3);
        QCOMPARE(scan->ids.pixelIndex(0, 0), 5);
        QCOMPARE(scan->ids.pixelIndex(2, 0), 3);
        QCOMPARE(scan->ids.pixelIndex(5, 5), 7);
    }

    void foreignIndexedPaletteOrderIsMappedByColour()
    {
        const ClassPalette palette = ClassPalette::builtin();
        QImage indexed(8, 8, QImage::Format_Indexed8);
        indexed.setColorTable({qRgb(0x1e, 0x50, 0xc8), qRgb(0x87, 0xb8, 0xe8)}); // water, sky
        indexed.fill(0);
        indexed.setPixel(3, 3, 1);
        const auto scan = ldm::bridge::labelMapFromImage(indexed, palette);
        QVERIFY(scan.ok());
        QVERIFY(scan->unknownColors.isEmpty());
        QCOMPARE(scan->ids.pixelIndex(0, 0), 5);
        QCOMPARE(scan->ids.pixelIndex(3, 3), 0);
    }

    void badFilesGiveMessages()
    {
        const ClassPalette palette = ClassPalette::builtin();
        QTemporaryDir dir;
        QVERIFY(
            !ldm::bridge::loadLabelMap(dir.filePath(QStringLiteral("missing.png")), palette).ok());
        QFile junk(dir.filePath(QStringLiteral("junk.png")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("\x89PNG garbage garbage");
        junk.close();
        const auto bad = ldm::bridge::loadLabelMap(junk.fileName(), palette);
        QVERIFY(!bad.ok());
        QVERIFY(!bad.error().message.empty());

        QImage odd(30, 30, QImage::Format_RGB32);
        odd.fill(Qt::white);
        const auto wrongSize = ldm::bridge::labelMapFromImage(odd, palette);
        QVERIFY(!wrongSize.ok());
        QVERIFY(QString::fromStdString(wrongSize.error().message).contains(QStringLiteral("30")));
    }

    void hugeImageIsRefusedBeforeDecoding()
    {
        QImage tiny(1, 1, QImage::Format_RGB32);
        tiny.fill(Qt::red);
        QByteArray png = ldm::bridge::encodePng(tiny).value();
        // IHDR data starts at byte 16: claim 100000 × 100000 pixels and fix the chunk's CRC.
        putBigEndian(png, 16, 100000);
        putBigEndian(png, 20, 100000);
        putBigEndian(png, 29, crc32(png.mid(12, 17)));
        const auto decoded = ldm::bridge::decodeImageChecked(png);
        QVERIFY(!decoded.ok());
        QVERIFY2(QString::fromStdString(decoded.error().message).contains(QStringLiteral("large")),
                 decoded.error().message.c_str());
    }
};

QTEST_MAIN(TestLabelMapIo)
#include "tst_label_map_io.moc"
