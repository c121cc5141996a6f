// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/class_palette.h"

#include <QImage>
#include <QObject>
#include <QStringList>
#include <QUndoStack>

namespace ldm::ui {

/// What a palette switch did to the classes painted on the map.
struct PaletteConversion
{
    QStringList renamed;   ///< "forest → tree": classes that carried over under another name
    QStringList unmatched; ///< classes the new palette lacks (now its default class)
};

/// The label map being painted: an Indexed8 image of class ids plus its undo history.
///
/// Tools change pixels only between beginStroke() and endStroke(); endStroke() pushes one
/// QUndoCommand holding the dirty rectangle before and after, so undo memory grows with what
/// was painted, not with the map size.
class LabelDocument final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabelDocument)

public:
    explicit LabelDocument(bridge::ClassPalette palette, QObject* parent = nullptr);

    const QImage& ids() const { return m_ids; }
    const bridge::ClassPalette& palette() const { return m_palette; }
    QUndoStack* undoStack() { return &m_undo; }
    QSize size() const { return m_ids.size(); }
    /// Class id at `pos`, or -1 outside the map.
    int classAt(QPoint pos) const;

    /// The class the eraser paints and new maps start with (default: "sky").
    int defaultClass() const { return m_defaultClass; }
    void setDefaultClass(int classId);

    /// Replaces the map with a new one filled with `fillClass` (undoable).
    void newMap(QSize size, int fillClass);
    /// Switches to another model's classes. Every pixel keeps its class by name (the ids may
    /// differ between models; synonyms as bridge::matchPalettes); classes the new palette lacks
    /// become the default class. One undoable step, so the map stays paintable and
    /// generatable. Returns what happened to the painted classes (empty during a stroke: the
    /// switch waits for its end).
    PaletteConversion setPalette(const bridge::ClassPalette& palette);
    /// Replaces the map with `ids` (Indexed8), e.g. after loading a file (undoable).
    void replaceMap(const QImage& ids, const QString& undoText);

    void beginStroke();
    /// The image tools write into during a stroke; call touch() with what changed.
    QImage& strokeImage() { return m_ids; }
    void touch(const QRect& dirty);
    /// Ends the stroke; pushes one undo command when anything changed.
    void endStroke(const QString& undoText);
    bool inStroke() const { return m_inStroke; }

    /// For undo commands: writes `pixels` at `rect`, or swaps in a whole image.
    void writeRegion(const QRect& rect, const QImage& pixels);
    void setImage(const QImage& ids);

Q_SIGNALS:
    /// Pixels in `rect` (image coordinates) changed.
    void changed(const QRect& rect);
    /// The map was replaced by one of another size (or at all): redraw everything.
    void reset();
    /// The classes changed (setPalette); lists of classes must be rebuilt.
    void paletteChanged();

private:
    bridge::ClassPalette m_palette;
    QImage m_ids;
    QUndoStack m_undo;
    int m_defaultClass = 0;
    bool m_inStroke = false;
    QImage m_before;
    QRect m_dirty;
    bridge::ClassPalette m_pendingPalette; ///< arrived during a stroke, applied after it
};

} // namespace ldm::ui
