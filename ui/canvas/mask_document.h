// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QObject>
#include <QUndoStack>

namespace ldm::ui {

/// The picture being edited and its inpainting mask (Format_Grayscale8, 255 = fill, 0 = keep),
/// with the mask's undo history.
///
/// Tools change the mask only between beginStroke() and endStroke(); endStroke() pushes one
/// QUndoCommand holding the dirty rectangle before and after, so one stroke is one undo step
/// and undo memory grows with what was painted. The picture is not undoable: a new picture
/// starts a new history.
class MaskDocument final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MaskDocument)

public:
    explicit MaskDocument(QObject* parent = nullptr);

    /// Format_RGB888; null until a picture is set.
    const QImage& picture() const { return m_picture; }
    const QImage& mask() const { return m_mask; }
    QSize size() const { return m_picture.size(); }
    bool isEmpty() const { return m_picture.isNull(); }
    QUndoStack* undoStack() { return &m_undo; }
    /// Mask value at `pos`, or -1 outside the picture.
    int maskAt(QPoint pos) const;

    /// Starts over with `picture` and `mask` (blank when null or of another size); clears the
    /// undo history.
    void setPicture(const QImage& picture, const QImage& mask = {});
    /// Replaces the whole mask as one undo step (invert, clear, a restored mask).
    void replaceMask(const QImage& mask, const QString& undoText);

    void beginStroke();
    /// The mask tools write into during a stroke; call touch() with what changed.
    QImage& strokeMask() { return m_mask; }
    void touch(const QRect& dirty);
    /// Ends the stroke; pushes one undo command when anything changed.
    void endStroke(const QString& undoText);
    bool inStroke() const { return m_inStroke; }

    /// For undo commands: writes `pixels` at `rect`, or swaps in a whole mask.
    void writeRegion(const QRect& rect, const QImage& pixels);
    void setMask(const QImage& mask);

Q_SIGNALS:
    /// Mask pixels in `rect` (image coordinates) changed.
    void changed(const QRect& rect);
    /// The picture or the whole mask was replaced: redraw everything.
    void reset();

private:
    QImage m_picture;
    QImage m_mask;
    QUndoStack m_undo;
    bool m_inStroke = false;
    QImage m_before;
    QRect m_dirty;
};

} // namespace ldm::ui
