// SPDX-License-Identifier: GPL-3.0-or-later
#include "palette_match.h"

#include <QHash>

namespace ldm::bridge {

namespace {

// Names that mean the same class in our palettes, each mapped to one word. Only pairs that
// hold both ways are listed: "lake" is water in any of them, but "field" (farmland in ADE20K)
// is not COCO-Stuff's "playingfield".
const QHash<QString, QString>& synonyms()
{
    static const QHash<QString, QString> table = {
        {QStringLiteral("clouds"), QStringLiteral("cloud")},
        {QStringLiteral("forest"), QStringLiteral("tree")},
        {QStringLiteral("trees"), QStringLiteral("tree")},
        {QStringLiteral("palm"), QStringLiteral("tree")},
        {QStringLiteral("earth"), QStringLiteral("dirt")},
        {QStringLiteral("lake"), QStringLiteral("water")},
        {QStringLiteral("stone"), QStringLiteral("rock")},
        {QStringLiteral("land"), QStringLiteral("ground")},
        {QStringLiteral("windowpane"), QStringLiteral("window")},
        {QStringLiteral("sofa"), QStringLiteral("couch")},
        {QStringLiteral("television receiver"), QStringLiteral("tv")},
        {QStringLiteral("sidewalk"), QStringLiteral("pavement")},
        {QStringLiteral("dining table"), QStringLiteral("table")},
        {QStringLiteral("carpet"), QStringLiteral("rug")},
        {QStringLiteral("skyscraper"), QStringLiteral("building")},
        {QStringLiteral("potted plant"), QStringLiteral("plant")},
    };
    return table;
}

} // namespace

QString canonicalClassName(const QString& name)
{
    QString key = name.trimmed().toLower();
    for (const QLatin1String suffix : {QLatin1String("-other"), QLatin1String("-stuff")}) {
        if (key.endsWith(suffix) && key.size() > suffix.size()) {
            key.chop(suffix.size());
            break;
        }
    }
    return synonyms().value(key, key);
}

PaletteMatch matchPalettes(const ClassPalette& from, const ClassPalette& to)
{
    PaletteMatch match;
    QHash<QString, int> byCanonical;
    for (const auto& c : to.classes()) {
        const QString key = canonicalClassName(c.name);
        if (!byCanonical.contains(key)) // palette order: the first one wins
            byCanonical.insert(key, c.id);
    }
    for (const auto& c : from.classes()) {
        if (c.id < 0 || c.id > 255)
            continue;
        const int exact = to.idOfName(c.name);
        match.target[size_t(c.id)] =
            exact >= 0 ? exact : byCanonical.value(canonicalClassName(c.name), -1);
    }
    return match;
}

ClassPalette bundledPalette(const QString& key)
{
    if (key == QLatin1String("landscape"))
        return ClassPalette::builtin();
    if (key != QLatin1String("cocostuff") && key != QLatin1String("ade20k"))
        return {};
    (void)ClassPalette::builtin(); // registers the palette resources of this static library
    auto palette = ClassPalette::fromFile(QStringLiteral(":/palettes/%1.json").arg(key));
    return palette.ok() ? palette.value() : ClassPalette();
}

ClassPalette scribblePalette()
{
    // Black strokes on white paper, as people draw; the hint inverts them.
    auto palette =
        ClassPalette::fromClasses(QString::fromLatin1(ScribblePaletteName),
                                  {{ScribblePaper, QStringLiteral("paper"), QColor(255, 255, 255)},
                                   {ScribbleStroke, QStringLiteral("stroke"), QColor(0, 0, 0)}});
    return palette.ok() ? palette.value() : ClassPalette();
}

} // namespace ldm::bridge
