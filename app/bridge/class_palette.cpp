// SPDX-License-Identifier: GPL-3.0-or-later
#include "class_palette.h"

#include "image_io.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <limits>

// Q_INIT_RESOURCE must be used outside any namespace; the resource lives in this static
// library, so nothing else would pull it into the executable.
static void initPaletteResources()
{
    Q_INIT_RESOURCE(palettes);
}

namespace ldm::bridge {

namespace {

Error invalid(const QString& message)
{
    return makeError(ErrorCode::InvalidFile, message.toStdString());
}

// Free functions translate through this; lupdate reads the context from it.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ldm::bridge::ClassPalette)
};

} // namespace

Result<ClassPalette> ClassPalette::fromJson(const QByteArray& json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (doc.isNull() || !doc.isObject())
        return invalid(Text::tr("The palette is not valid JSON: %1").arg(parseError.errorString()));
    const QJsonObject root = doc.object();
    ClassPalette palette;
    palette.m_name = root.value(QStringLiteral("name")).toString();
    QSet<int> ids;
    QSet<QRgb> colors;
    for (const QJsonValue& value : root.value(QStringLiteral("classes")).toArray()) {
        const QJsonObject entry = value.toObject();
        SemanticClass c;
        c.id = entry.value(QStringLiteral("id")).toInt(-1);
        c.name = entry.value(QStringLiteral("name")).toString();
        c.color = QColor(entry.value(QStringLiteral("color")).toString());
        if (c.id < 0 || c.id > 255 || ids.contains(c.id))
            return invalid(
                Text::tr("The palette has a missing, duplicate or out-of-range class id."));
        if (!c.color.isValid() || colors.contains(c.color.rgb()))
            return invalid(Text::tr("Class '%1' has an invalid or repeated colour.").arg(c.name));
        ids.insert(c.id);
        colors.insert(c.color.rgb());
        palette.m_classes.append(c);
    }
    if (palette.m_classes.isEmpty())
        return invalid(Text::tr("The palette has no classes."));
    return palette;
}

Result<ClassPalette> ClassPalette::fromClasses(const QString& name,
                                               const QList<SemanticClass>& classes)
{
    // One set of validation rules for files and models: go through the JSON form.
    QJsonArray list;
    for (const auto& c : classes) {
        list.append(
            QJsonObject{{QStringLiteral("id"), c.id},
                        {QStringLiteral("name"), c.name},
                        {QStringLiteral("color"), c.color.isValid() ? c.color.name() : QString()}});
    }
    const QJsonObject root{{QStringLiteral("name"), name}, {QStringLiteral("classes"), list}};
    return fromJson(QJsonDocument(root).toJson(QJsonDocument::Compact));
}

Result<ClassPalette> ClassPalette::fromFile(const QString& path)
{
    QFile file;
    if (path.startsWith(QLatin1Char(':'))) { // a compiled-in resource, no file on disk
        file.setFileName(path);
        if (!file.open(QIODevice::ReadOnly))
            return invalid(
                Text::tr("Cannot read the palette %1: %2").arg(path, file.errorString()));
    } else if (auto opened = openRegularFile(path, file); !opened.ok()) {
        return opened.error();
    }
    // A palette lists at most 256 classes: a few KB; more is not a palette.
    if (file.size() > (4 << 20))
        return invalid(Text::tr("%1 is too large to be a palette.").arg(path));
    return fromJson(file.readAll());
}

ClassPalette ClassPalette::builtin()
{
    static const bool resourcesReady = (initPaletteResources(), true);
    (void)resourcesReady;
    auto palette = fromFile(QStringLiteral(":/palettes/landscape.json"));
    if (palette.ok())
        return palette.value();
    // The resource is compiled in; this only happens in a broken build. Keep the app usable.
    ClassPalette fallback;
    fallback.m_name = QStringLiteral("fallback");
    fallback.m_classes.append({0, QStringLiteral("sky"), QColor(0x87, 0xb8, 0xe8)});
    return fallback;
}

bool ClassPalette::contains(int id) const
{
    return byId(id) != nullptr;
}

const SemanticClass* ClassPalette::byId(int id) const
{
    for (const auto& c : m_classes) {
        if (c.id == id)
            return &c;
    }
    return nullptr;
}

int ClassPalette::idOfName(const QString& name) const
{
    for (const auto& c : m_classes) {
        if (c.name.compare(name, Qt::CaseInsensitive) == 0)
            return c.id;
    }
    return -1;
}

QVector<QRgb> ClassPalette::colorTable() const
{
    QVector<QRgb> table(256, qRgb(0, 0, 0));
    for (const auto& c : m_classes)
        table[c.id] = c.color.rgb();
    return table;
}

int ClassPalette::exactClass(QRgb rgb) const
{
    const QRgb opaque = rgb | 0xff000000u;
    for (const auto& c : m_classes) {
        if (c.color.rgb() == opaque)
            return c.id;
    }
    return -1;
}

int ClassPalette::nearestClass(QRgb rgb) const
{
    int best = m_classes.isEmpty() ? 0 : m_classes.first().id;
    int bestDistance = std::numeric_limits<int>::max();
    for (const auto& c : m_classes) {
        const int dr = qRed(rgb) - c.color.red();
        const int dg = qGreen(rgb) - c.color.green();
        const int db = qBlue(rgb) - c.color.blue();
        const int distance = dr * dr + dg * dg + db * db;
        if (distance < bestDistance) {
            bestDistance = distance;
            best = c.id;
        }
    }
    return best;
}

} // namespace ldm::bridge
