// SPDX-License-Identifier: GPL-3.0-or-later
// Maps carry over between the bundled palettes by class name: our landscape classes, COCO-Stuff
// (the CompVis semantic-synthesis releases) and ADE20K (segmentation ControlNets).
#include "bridge/palette_match.h"

#include <QTest>

using ldm::bridge::bundledPalette;
using ldm::bridge::ClassPalette;
using ldm::bridge::matchPalettes;

namespace {

// The class of `to` that `from`'s class `name` becomes, or "" when none.
QString matchedName(const ClassPalette& from, const ClassPalette& to, const QString& name)
{
    const int id = from.idOfName(name);
    if (id < 0)
        return QStringLiteral("<not in the source palette>");
    const auto* target = to.byId(matchPalettes(from, to).target[size_t(id)]);
    return target ? target->name : QString();
}

} // namespace

class TestPaletteMatch final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bundledPalettesLoad()
    {
        QCOMPARE(bundledPalette(QStringLiteral("landscape")).classes().size(), 10);
        QCOMPARE(bundledPalette(QStringLiteral("cocostuff")).classes().size(), 182);
        // ADE20K's 150 less skyscraper, whose colour is road's.
        QCOMPARE(bundledPalette(QStringLiteral("ade20k")).classes().size(), 149);
        QVERIFY(bundledPalette(QStringLiteral("no such palette")).isEmpty());
        const ClassPalette scribble = ldm::bridge::scribblePalette();
        QCOMPARE(scribble.classes().size(), 2);
        QCOMPARE(scribble.byId(ldm::bridge::ScribbleStroke)->color, QColor(Qt::black));
        QCOMPARE(scribble.byId(ldm::bridge::ScribblePaper)->color, QColor(Qt::white));
    }

    void canonicalNamesJoinTheSpellings()
    {
        using ldm::bridge::canonicalClassName;
        QCOMPARE(canonicalClassName(QStringLiteral("Sky-Other")), QStringLiteral("sky"));
        QCOMPARE(canonicalClassName(QStringLiteral("clouds")), QStringLiteral("cloud"));
        QCOMPARE(canonicalClassName(QStringLiteral("forest")), QStringLiteral("tree"));
        QCOMPARE(canonicalClassName(QStringLiteral("door-stuff")), QStringLiteral("door"));
        QCOMPARE(canonicalClassName(QStringLiteral("earth")), QStringLiteral("dirt"));
        QCOMPARE(canonicalClassName(QStringLiteral("wall")), QStringLiteral("wall"));
    }

    void landscapeToCocoStuffKeepsEveryClass()
    {
        const ClassPalette landscape = bundledPalette(QStringLiteral("landscape"));
        const ClassPalette coco = bundledPalette(QStringLiteral("cocostuff"));
        const QList<std::pair<const char*, const char*>> expected = {
            {"sky", "sky-other"}, {"cloud", "clouds"}, {"mountain", "mountain"},
            {"snow", "snow"},     {"rock", "rock"},    {"water", "water-other"},
            {"sand", "sand"},     {"grass", "grass"},  {"forest", "tree"},
            {"dirt", "dirt"}};
        for (const auto& [from, to] : expected)
            QCOMPARE(matchedName(landscape, coco, QLatin1String(from)), QLatin1String(to));
        // And back: COCO-Stuff's own names find ours.
        QCOMPARE(matchedName(coco, landscape, QStringLiteral("tree")), QStringLiteral("forest"));
        QCOMPARE(matchedName(coco, landscape, QStringLiteral("sky-other")), QStringLiteral("sky"));
        QCOMPARE(matchedName(coco, landscape, QStringLiteral("stone")), QStringLiteral("rock"));
        QCOMPARE(matchedName(coco, landscape, QStringLiteral("person")), QString());
    }

    void landscapeToAde20kNamesWhatHasNoMatch()
    {
        const ClassPalette landscape = bundledPalette(QStringLiteral("landscape"));
        const ClassPalette ade = bundledPalette(QStringLiteral("ade20k"));
        QCOMPARE(matchedName(landscape, ade, QStringLiteral("sky")), QStringLiteral("sky"));
        QCOMPARE(matchedName(landscape, ade, QStringLiteral("forest")), QStringLiteral("tree"));
        QCOMPARE(matchedName(landscape, ade, QStringLiteral("dirt")), QStringLiteral("earth"));
        QCOMPARE(matchedName(landscape, ade, QStringLiteral("water")), QStringLiteral("water"));
        QCOMPARE(matchedName(landscape, ade, QStringLiteral("mountain")),
                 QStringLiteral("mountain"));
        // ADE20K has neither clouds nor snow.
        QCOMPARE(matchedName(landscape, ade, QStringLiteral("cloud")), QString());
        QCOMPARE(matchedName(landscape, ade, QStringLiteral("snow")), QString());
    }

    void cocoStuffAndAde20kMeetByName()
    {
        const ClassPalette coco = bundledPalette(QStringLiteral("cocostuff"));
        const ClassPalette ade = bundledPalette(QStringLiteral("ade20k"));
        QCOMPARE(matchedName(ade, coco, QStringLiteral("windowpane")), QStringLiteral("window"));
        QCOMPARE(matchedName(ade, coco, QStringLiteral("sofa")), QStringLiteral("couch"));
        QCOMPARE(matchedName(ade, coco, QStringLiteral("earth")), QStringLiteral("dirt"));
        QCOMPARE(matchedName(ade, coco, QStringLiteral("building")),
                 QStringLiteral("building-other"));
        QCOMPARE(matchedName(coco, ade, QStringLiteral("wall-other")), QStringLiteral("wall"));
        QCOMPARE(matchedName(coco, ade, QStringLiteral("skyscraper")), QStringLiteral("building"));
        QCOMPARE(matchedName(coco, ade, QStringLiteral("giraffe")), QString());
        // Every match lands on a class of the target palette.
        const auto match = matchPalettes(coco, ade);
        for (const auto& c : coco.classes()) {
            const int target = match.target[size_t(c.id)];
            QVERIFY(target == -1 || ade.contains(target));
        }
    }
};

QTEST_MAIN(TestPaletteMatch)
#include "tst_palette_match.moc"
