// SPDX-License-Identifier: GPL-3.0-or-later
#include "label_document.h"

#include "bridge/label_map_io.h"
#include "bridge/palette_match.h"
#include "canvas_commands.h"

#include <cstring>
#include <utility>

namespace ldm::ui {

namespace {

constexpr int DefaultSide = 512;

int preferredDefaultClass(const bridge::ClassPalette& palette)
{
    const int sky = palette.idOfName(QStringLiteral("sky"));
    return sky >= 0 ? sky : palette.classes().first().id;
}

} // namespace

LabelDocument::LabelDocument(bridge::ClassPalette palette, QObject* parent)
    : QObject(parent)
    , m_palette(std::move(palette))
{
    m_defaultClass = preferredDefaultClass(m_palette);
    m_ids = bridge::makeLabelMap(DefaultSide, DefaultSide, m_defaultClass, m_palette);
}

PaletteConversion LabelDocument::setPalette(const bridge::ClassPalette& palette)
{
    if (palette.isEmpty())
        return {};
    if (m_inStroke) {
        m_pendingPalette = palette;
        return {};
    }
    // Ids mean different things to different models; names carry over. Each old class
    // becomes the new class of the same name (or synonym: bridge::matchPalettes), else the
    // new default class.
    const bridge::ClassPalette old = std::exchange(m_palette, palette);
    const bridge::PaletteMatch match = bridge::matchPalettes(old, m_palette);
    const int keptDefault =
        m_defaultClass >= 0 && m_defaultClass < 256 ? match.target[size_t(m_defaultClass)] : -1;
    m_defaultClass = keptDefault >= 0 ? keptDefault : preferredDefaultClass(m_palette);
    uchar remap[256];
    bool changedIds = false;
    for (int id = 0; id < 256; ++id) {
        const int mapped = match.target[size_t(id)];
        remap[id] = static_cast<uchar>(mapped >= 0 ? mapped : m_defaultClass);
        changedIds = changedIds || remap[id] != id;
    }
    bool used[256] = {};
    for (int y = 0; y < m_ids.height(); ++y) {
        const uchar* row = m_ids.constScanLine(y);
        for (int x = 0; x < m_ids.width(); ++x)
            used[row[x]] = true;
    }
    PaletteConversion conversion;
    for (const auto& c : old.classes()) {
        if (c.id < 0 || c.id > 255 || !used[c.id])
            continue;
        const auto* now = m_palette.byId(match.target[size_t(c.id)]);
        if (!now)
            conversion.unmatched << c.name;
        else if (now->name.compare(c.name, Qt::CaseInsensitive) != 0)
            conversion.renamed << QStringLiteral("%1 → %2").arg(c.name, now->name);
    }
    m_ids.setColorTable(m_palette.colorTable());
    QImage adapted = m_ids;
    if (changedIds) {
        changedIds = false;
        for (int y = 0; y < adapted.height(); ++y) {
            const uchar* in = m_ids.constScanLine(y);
            uchar* out = adapted.scanLine(y);
            for (int x = 0; x < adapted.width(); ++x) {
                out[x] = remap[in[x]];
                changedIds = changedIds || out[x] != in[x];
            }
        }
    }
    Q_EMIT paletteChanged();
    if (changedIds)
        replaceMap(adapted, tr("Adapt map to %1").arg(m_palette.name()));
    else
        Q_EMIT reset();
    return conversion;
}

int LabelDocument::classAt(QPoint pos) const
{
    return m_ids.rect().contains(pos) ? m_ids.constScanLine(pos.y())[pos.x()] : -1;
}

void LabelDocument::setDefaultClass(int classId)
{
    if (m_palette.contains(classId))
        m_defaultClass = classId;
}

void LabelDocument::newMap(QSize size, int fillClass)
{
    replaceMap(bridge::makeLabelMap(size.width(), size.height(), fillClass, m_palette),
               tr("New map"));
}

void LabelDocument::replaceMap(const QImage& ids, const QString& undoText)
{
    if (ids.isNull() || ids.format() != QImage::Format_Indexed8)
        return;
    QImage copy = ids;
    copy.setColorTable(m_palette.colorTable());
    m_undo.push(new ReplaceMapCommand(this, m_ids, copy, undoText));
}

void LabelDocument::beginStroke()
{
    if (m_inStroke)
        return;
    m_inStroke = true;
    m_before = m_ids; // shared until the first write detaches: no copy for an empty stroke
    m_dirty = QRect();
}

void LabelDocument::touch(const QRect& dirty)
{
    if (dirty.isEmpty())
        return;
    m_dirty |= dirty;
    Q_EMIT changed(dirty);
}

void LabelDocument::endStroke(const QString& undoText)
{
    if (!m_inStroke)
        return;
    m_inStroke = false;
    const QRect rect = m_dirty & m_ids.rect();
    if (!rect.isEmpty())
        m_undo.push(new StrokeCommand(this, rect, m_before.copy(rect), m_ids.copy(rect), undoText));
    m_before = QImage();
    m_dirty = QRect();
    if (!m_pendingPalette.isEmpty())
        setPalette(std::exchange(m_pendingPalette, bridge::ClassPalette()));
}

void LabelDocument::writeRegion(const QRect& rect, const QImage& pixels)
{
    if (!m_ids.rect().contains(rect) || pixels.size() != rect.size())
        return;
    for (int y = 0; y < rect.height(); ++y)
        std::memcpy(m_ids.scanLine(rect.y() + y) + rect.x(), pixels.constScanLine(y),
                    static_cast<size_t>(rect.width()));
    Q_EMIT changed(rect);
}

void LabelDocument::setImage(const QImage& ids)
{
    m_ids = ids;
    // Undo may bring back a map saved under another palette's colours.
    if (m_ids.colorTable() != m_palette.colorTable())
        m_ids.setColorTable(m_palette.colorTable());
    Q_EMIT reset();
}

} // namespace ldm::ui
