// SPDX-License-Identifier: GPL-3.0-or-later
#include "bridge/image_engine.h"
#include "canvas/label_document.h"
#include "canvas/map_files.h"
#include "canvas/raster.h"
#include "canvas/semantic_canvas.h"
#include "canvas/tools.h"
#include "widgets/themed_icon.h"

#include <QApplication>
#include <QSignalSpy>

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using ldm::bridge::ClassPalette;
using ldm::ui::LabelDocument;

namespace {

constexpr int Sky = 0;
constexpr int Water = 5;
constexpr int Grass = 7;

QSet<int> classesIn(const QImage& ids)
{
    QSet<int> seen;
    for (int y = 0; y < ids.height(); ++y) {
        for (int x = 0; x < ids.width(); ++x)
            seen.insert(ids.constScanLine(y)[x]);
    }
    return seen;
}

int count(const QImage& ids, int classId)
{
    int n = 0;
    for (int y = 0; y < ids.height(); ++y) {
        for (int x = 0; x < ids.width(); ++x)
            n += ids.constScanLine(y)[x] == classId;
    }
    return n;
}

} // namespace

class TestSemanticCanvas final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultClassIsSky()
    {
        LabelDocument doc(ClassPalette::builtin());
        QCOMPARE(doc.defaultClass(), Sky);
        QCOMPARE(doc.ids().format(), QImage::Format_Indexed8);
        QCOMPARE(classesIn(doc.ids()), QSet<int>{Sky});
    }

    void roundBrushIsExactDisc()
    {
        LabelDocument doc(ClassPalette::builtin());
        doc.newMap(QSize(64, 64), Sky);
        ldm::ui::BrushSettings brush{5, ldm::ui::raster::BrushShape::Round};
        ldm::ui::BrushTool tool(&brush, false);
        tool.press(doc, QPoint(10, 10), Grass);
        tool.release(doc, QPoint(10, 10), Grass);
        // A 5-pixel disc: the 5×5 square minus its 4 corners, no blended pixels anywhere.
        QCOMPARE(count(doc.ids(), Grass), 21);
        QCOMPARE(classesIn(doc.ids()), (QSet<int>{Sky, Grass}));
        QCOMPARE(doc.classAt(QPoint(8, 8)), Sky);
        QCOMPARE(doc.classAt(QPoint(8, 9)), Grass);

        brush.shape = ldm::ui::raster::BrushShape::Square;
        tool.press(doc, QPoint(40, 40), Water);
        tool.release(doc, QPoint(40, 40), Water);
        QCOMPARE(count(doc.ids(), Water), 25);
    }

    void strokeThroughWidgetIsOneUndoStep()
    {
        LabelDocument doc(ClassPalette::builtin());
        doc.newMap(QSize(128, 64), Sky);
        doc.undoStack()->clear();
        ldm::ui::BrushSettings brush{3, ldm::ui::raster::BrushShape::Square};
        ldm::ui::BrushTool tool(&brush, false);
        ldm::ui::SemanticCanvas canvas(&doc);
        canvas.resize(300, 200);
        canvas.setTool(&tool);
        canvas.setCurrentClass(Water);
        canvas.setZoom(1.0, QPointF(0, 0));
        const QPointF origin = canvas.widgetPos(QPointF(0, 0));
        const auto at = [&](int x, int y) {
            // A quarter pixel in: toPoint() rounds, so the centre (.5) would land one pixel on.
            return (origin + QPointF(x + 0.25, y + 0.25)).toPoint();
        };
        QTest::mousePress(&canvas, Qt::LeftButton, {}, at(10, 20));
        for (int x = 11; x <= 60; x += 7)
            QTest::mouseMove(&canvas, at(x, 20));
        QTest::mouseRelease(&canvas, Qt::LeftButton, {}, at(60, 20));
        QCOMPARE(doc.undoStack()->count(), 1);
        QCOMPARE(count(doc.ids(), Water), 53 * 3); // gap-free 3-pixel square brush, x 9..61
        QCOMPARE(doc.classAt(QPoint(35, 19)), Water);
        QCOMPARE(doc.classAt(QPoint(35, 22)), Sky);
    }

    void fillUndoRedoRestoreExactIds()
    {
        LabelDocument doc(ClassPalette::builtin());
        doc.newMap(QSize(64, 48), Sky);
        ldm::ui::BrushSettings brush{4, ldm::ui::raster::BrushShape::Square};
        ldm::ui::LineTool line(&brush);
        line.press(doc, QPoint(0, 24), Grass);
        line.move(doc, QPoint(63, 24), Grass);
        QVERIFY(!line.overlay().isEmpty());
        line.release(doc, QPoint(63, 24), Grass);
        const auto afterLine = ldm::bridge::labelIds(doc.ids());

        ldm::ui::FillTool fill;
        fill.press(doc, QPoint(5, 40), Water); // below the line only
        QCOMPARE(doc.classAt(QPoint(5, 40)), Water);
        QCOMPARE(doc.classAt(QPoint(5, 5)), Sky);
        const auto afterFill = ldm::bridge::labelIds(doc.ids());
        const int steps = doc.undoStack()->count();

        doc.undoStack()->undo();
        QCOMPARE(ldm::bridge::labelIds(doc.ids()), afterLine);
        doc.undoStack()->redo();
        QCOMPARE(ldm::bridge::labelIds(doc.ids()), afterFill);

        ldm::ui::RectTool rect;
        rect.press(doc, QPoint(2, 2), Grass);
        rect.release(doc, QPoint(5, 4), Grass);
        QCOMPARE(count(doc.ids(), Grass), 64 * 4 + 4 * 3);
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        doc.undoStack()->undo();
        QCOMPARE(ldm::bridge::labelIds(doc.ids()), afterFill);

        // Filling a region with its own class changes nothing and adds no undo step.
        fill.press(doc, QPoint(5, 40), Water);
        QCOMPARE(doc.undoStack()->index(), steps);
    }

    void eraserPaintsDefaultClassAndEyedropperPicks()
    {
        LabelDocument doc(ClassPalette::builtin());
        doc.newMap(QSize(32, 32), Grass);
        doc.setDefaultClass(Water);
        ldm::ui::BrushSettings brush{1, ldm::ui::raster::BrushShape::Square};
        ldm::ui::BrushTool eraser(&brush, true);
        eraser.press(doc, QPoint(3, 3), Grass);
        eraser.release(doc, QPoint(3, 3), Grass);
        QCOMPARE(doc.classAt(QPoint(3, 3)), Water);
        int picked = -1;
        ldm::ui::EyedropperTool dropper([&](int id) { picked = id; });
        dropper.press(doc, QPoint(3, 3), Grass);
        QCOMPARE(picked, Water);
    }

    void newMapIsUndoable()
    {
        LabelDocument doc(ClassPalette::builtin());
        const QSize original = doc.size();
        doc.newMap(QSize(256, 128), Grass);
        QCOMPARE(doc.size(), QSize(256, 128));
        doc.undoStack()->undo();
        QCOMPARE(doc.size(), original);
    }

    void saveLoadRoundTripKeepsIds()
    {
        LabelDocument doc(ClassPalette::builtin());
        doc.newMap(QSize(64, 64), Sky);
        ldm::ui::BrushSettings brush{9, ldm::ui::raster::BrushShape::Round};
        ldm::ui::BrushTool tool(&brush, false);
        tool.press(doc, QPoint(20, 20), Grass);
        tool.move(doc, QPoint(50, 45), Grass);
        tool.release(doc, QPoint(50, 45), Grass);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("map.png"));
        QCOMPARE(ldm::ui::saveDocumentMap(doc, path), QString());

        LabelDocument loaded(ClassPalette::builtin());
        bool asked = false;
        const auto result = ldm::ui::loadMapIntoDocument(loaded, path, [&](const auto&) {
            asked = true;
            return true;
        });
        QCOMPARE(result.status, ldm::ui::MapLoadStatus::Loaded);
        QVERIFY(!asked);
        QCOMPARE(ldm::bridge::labelIds(loaded.ids()), ldm::bridge::labelIds(doc.ids()));
    }

    void unknownColoursNeedConsent()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("foreign.png"));
        QImage rgb(32, 32, QImage::Format_RGB32);
        rgb.fill(qRgb(0x64, 0xc8, 0x3c)); // grass
        for (int x = 0; x < 32; ++x)
            rgb.setPixel(x, 0, qRgb(0x10, 0x40, 0xd0)); // close to water, not exact
        QVERIFY(rgb.save(path));

        LabelDocument doc(ClassPalette::builtin());
        doc.newMap(QSize(64, 64), Sky);
        const auto before = ldm::bridge::labelIds(doc.ids());
        qint64 reportedPixels = 0;
        auto declined = ldm::ui::loadMapIntoDocument(doc, path, [&](const auto& scan) {
            reportedPixels = scan.unknownPixels;
            return false;
        });
        QCOMPARE(declined.status, ldm::ui::MapLoadStatus::Declined);
        QCOMPARE(reportedPixels, 32);
        QCOMPARE(ldm::bridge::labelIds(doc.ids()), before); // untouched

        auto accepted = ldm::ui::loadMapIntoDocument(doc, path, [](const auto&) { return true; });
        QCOMPARE(accepted.status, ldm::ui::MapLoadStatus::Loaded);
        QCOMPARE(doc.classAt(QPoint(4, 0)), Water);
        QCOMPARE(doc.classAt(QPoint(4, 4)), Grass);

        const auto broken = ldm::ui::loadMapIntoDocument(doc, dir.filePath(QStringLiteral("x.png")),
                                                         [](const auto&) { return true; });
        QCOMPARE(broken.status, ldm::ui::MapLoadStatus::Failed);
        QVERIFY(!broken.message.isEmpty());
    }

    void modelPaletteFoldsUnknownIdsUndoably()
    {
        LabelDocument doc(ClassPalette::builtin());
        doc.newMap(QSize(32, 32), Sky);
        doc.beginStroke();
        ldm::ui::raster::fillRect(doc.strokeImage(), QPoint(0, 16), QPoint(31, 31), Grass);
        doc.touch(QRect(0, 16, 32, 16));
        doc.endStroke(QStringLiteral("grass"));

        doc.beginStroke();
        ldm::ui::raster::fillRect(doc.strokeImage(), QPoint(0, 0), QPoint(3, 3), Water);
        doc.touch(QRect(0, 0, 4, 4));
        doc.endStroke(QStringLiteral("water"));

        // A model with other ids for the same names, and no "water".
        const auto three = ClassPalette::fromClasses(
            QStringLiteral("tiny"), {{0, QStringLiteral("rock"), QColor(0x7d, 0x74, 0x68)},
                                     {1, QStringLiteral("sky"), QColor(0x5b, 0x8f, 0xd6)},
                                     {2, QStringLiteral("grass"), QColor(0x4f, 0x9d, 0x3a)}});
        QVERIFY(three.ok());
        QSignalSpy changed(&doc, &LabelDocument::paletteChanged);
        doc.setPalette(three.value());
        QCOMPARE(changed.size(), 1);
        QCOMPARE(doc.palette().classes().size(), 3);
        QCOMPARE(doc.defaultClass(), 1);         // "sky" again, by name
        QCOMPARE(doc.classAt(QPoint(3, 10)), 1); // sky 0 -> 1
        QCOMPARE(doc.classAt(QPoint(3, 20)), 2); // grass 7 -> 2
        QCOMPARE(doc.classAt(QPoint(1, 1)), 1);  // water: unknown -> the default class
        QCOMPARE(classesIn(doc.ids()), (QSet<int>{1, 2}));
        QCOMPARE(doc.ids().color(2), QColor(0x4f, 0x9d, 0x3a).rgb());
        doc.undoStack()->undo(); // back to the painted ids, shown in the new colours
        QCOMPARE(doc.classAt(QPoint(3, 20)), Grass);
        QCOMPARE(doc.ids().color(0), QColor(0x7d, 0x74, 0x68).rgb());

        // Duplicate colours are refused, as they are in palette files.
        QVERIFY(!ClassPalette::fromClasses(QStringLiteral("bad"),
                                           {{0, QStringLiteral("a"), QColor(Qt::red)},
                                            {1, QStringLiteral("b"), QColor(Qt::red)}})
                     .ok());
    }

    void toolIconsStayReadableOnDarkThemes()
    {
        const QPalette original = QApplication::palette();
        QPalette dark = original;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
        QApplication::setPalette(dark);
        const QImage brush = ldm::ui::themedIcon(QStringLiteral("brush")).pixmap(24).toImage();
        QApplication::setPalette(original);
        int brightInk = 0;
        for (int y = 0; y < brush.height(); ++y)
            for (int x = 0; x < brush.width(); ++x) {
                const QRgb p = brush.pixel(x, y);
                if (qAlpha(p) > 200 && qGray(p) > 200)
                    ++brightInk;
            }
        QVERIFY2(brightInk > 20, "the brush is still drawn in dark grey on a dark window");
    }
};

QTEST_MAIN(TestSemanticCanvas)
#include "tst_semantic_canvas.moc"
