// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QWidget>

namespace ldm::ui {

class CanvasTool;
class LabelDocument;
struct BrushSettings;

/// Shows a LabelDocument with zoom and pan and forwards mouse input to the current tool.
///
/// The class-id image is converted to an RGB32 display copy, refreshed only in the rectangles
/// that change (Qt's scribble example), and drawn without smoothing so every class pixel stays
/// a crisp square at any zoom. Wheel zooms around the cursor; middle button or Space + left
/// button pans.
class SemanticCanvas final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SemanticCanvas)

public:
    explicit SemanticCanvas(LabelDocument* document, QWidget* parent = nullptr);

    void setTool(CanvasTool* tool);
    void setBrushSettings(const BrushSettings* settings);
    int currentClass() const { return m_class; }
    void setCurrentClass(int classId);

    double zoom() const { return m_zoom; }
    /// Zooms keeping the image point under `anchor` (widget coordinates) in place.
    void setZoom(double zoom, QPointF anchor);
    void zoomIn();
    void zoomOut();
    void fitToView();
    /// Image pixel under a widget position.
    QPoint imagePos(QPointF widgetPos) const;
    /// Widget position of an image pixel's top-left corner.
    QPointF widgetPos(QPointF imagePos) const;

    QSize sizeHint() const override { return QSize(560, 560); }

Q_SIGNALS:
    /// The pointer is over image pixel `pos` of class `classId` (-1 outside the map).
    void hovered(QPoint pos, int classId);
    void zoomChanged(double zoom);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void refreshDisplay(const QRect& rect);
    void resetDisplay();
    void updateImageRect(const QRect& imageRect);
    QRect widgetRect(const QRect& imageRect) const;

    LabelDocument* m_document;
    CanvasTool* m_tool = nullptr;
    const BrushSettings* m_brush = nullptr;
    QImage m_display;
    int m_class = 0;
    double m_zoom = 1.0;
    QPointF m_origin;         ///< widget position of the image's top-left corner
    bool m_fitPending = true; ///< fit the first time the widget gets a size
    bool m_spaceHeld = false;
    bool m_panning = false;
    bool m_toolActive = false;
    QPointF m_panLast;
    QPoint m_hover{-1, -1};
};

} // namespace ldm::ui
