// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QPointer>
#include <QWidget>

namespace ldm::ui {

class MaskDocument;

/// Shows a MaskDocument's picture with its mask as a tinted overlay, with zoom and pan, and
/// paints the mask: brush, eraser, rectangle and fill. Each press..release is one undo step.
///
/// The display copy is recomposed only in the rectangles that change; wheel zooms around the
/// cursor, middle button or Space + left button pans (as the Paint canvas).
class MaskCanvas final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MaskCanvas)

public:
    enum class Tool { Brush, Eraser, Rectangle, Fill };

    explicit MaskCanvas(MaskDocument* document, QWidget* parent = nullptr);

    MaskDocument* document() const { return m_document; }
    /// Shows another document (e.g. the outpainting canvas) and fits it to the view.
    void setDocument(MaskDocument* document);
    Tool tool() const { return m_tool; }
    void setTool(Tool tool);
    int brushSize() const { return m_brushSize; }
    void setBrushSize(int size);
    /// With the overlay hidden (img2img) the mask is neither shown nor painted.
    void setMaskVisible(bool visible);
    bool maskVisible() const { return m_maskVisible; }
    /// A mask that is shown but not painted (outpainting's new area, decided by the engine).
    void setMaskEditable(bool editable) { m_maskEditable = editable; }
    void setPlaceholder(const QString& text);

    double zoom() const { return m_zoom; }
    /// Zooms keeping the image point under `anchor` (widget coordinates) in place.
    void setZoom(double zoom, QPointF anchor);
    void zoomIn();
    void zoomOut();
    void fitToView();
    /// Image pixel under a widget position.
    QPoint imagePos(QPointF widgetPos) const;
    /// Widget position of an image point.
    QPointF widgetPos(QPointF imagePos) const;
    /// The composed picture and overlay as shown (for tests and screenshots).
    const QImage& display() const { return m_display; }

    QSize sizeHint() const override { return QSize(560, 560); }

Q_SIGNALS:
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
    void connectDocument();
    void recompose(const QRect& rect);
    void resetDisplay();
    QRect widgetRect(const QRect& imageRect) const;
    /// Whether mouse input paints the mask now.
    bool painting() const;
    void pressTool(QPoint pos);
    void moveTool(QPoint pos);
    void releaseTool(QPoint pos);

    QPointer<MaskDocument> m_document;
    QImage m_display;
    Tool m_tool = Tool::Brush;
    int m_brushSize = 32;
    bool m_maskVisible = true;
    bool m_maskEditable = true;
    QString m_placeholder;
    double m_zoom = 1.0;
    QPointF m_origin;
    bool m_fitPending = true;
    bool m_spaceHeld = false;
    bool m_panning = false;
    bool m_toolActive = false;
    QPointF m_panLast;
    QPoint m_last;      ///< previous brush position of the running stroke
    QPoint m_rectStart; ///< rectangle tool: the corner where the drag began
    QPoint m_hover{-1, -1};
};

} // namespace ldm::ui
