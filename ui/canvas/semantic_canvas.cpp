// SPDX-License-Identifier: GPL-3.0-or-later
#include "semantic_canvas.h"

#include "canvas_tool.h"
#include "label_document.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ldm::ui {

namespace {

constexpr double MinZoom = 0.05;
constexpr double MaxZoom = 32.0;
constexpr double ZoomStep = 1.25;

} // namespace

SemanticCanvas::SemanticCanvas(LabelDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::CrossCursor);
    setMinimumSize(200, 200);
    connect(document, &LabelDocument::changed, this, [this](const QRect& rect) {
        refreshDisplay(rect);
        updateImageRect(rect);
    });
    connect(document, &LabelDocument::reset, this, [this] {
        const bool sizeChanged = m_display.size() != m_document->size();
        resetDisplay();
        if (sizeChanged)
            fitToView();
        update();
    });
    resetDisplay();
}

void SemanticCanvas::setTool(CanvasTool* tool)
{
    m_tool = tool;
    m_toolActive = false;
    update();
}

void SemanticCanvas::setBrushSettings(const BrushSettings* settings)
{
    m_brush = settings;
    update();
}

void SemanticCanvas::setCurrentClass(int classId)
{
    m_class = classId;
}

void SemanticCanvas::setZoom(double zoom, QPointF anchor)
{
    zoom = std::clamp(zoom, MinZoom, MaxZoom);
    const QPointF imagePoint = (anchor - m_origin) / m_zoom;
    m_zoom = zoom;
    m_origin = anchor - imagePoint * m_zoom;
    m_fitPending = false;
    update();
    Q_EMIT zoomChanged(m_zoom);
}

void SemanticCanvas::zoomIn()
{
    setZoom(m_zoom * ZoomStep, QRectF(rect()).center());
}

void SemanticCanvas::zoomOut()
{
    setZoom(m_zoom / ZoomStep, QRectF(rect()).center());
}

void SemanticCanvas::fitToView()
{
    const QSize image = m_document->size();
    if (image.isEmpty() || width() <= 0 || height() <= 0)
        return;
    const double margin = 16.0;
    m_zoom = std::clamp(
        std::min((width() - margin) / image.width(), (height() - margin) / image.height()), MinZoom,
        MaxZoom);
    m_origin = QPointF((width() - image.width() * m_zoom) / 2.0,
                       (height() - image.height() * m_zoom) / 2.0);
    update();
    Q_EMIT zoomChanged(m_zoom);
}

QPoint SemanticCanvas::imagePos(QPointF widgetPos) const
{
    const QPointF p = (widgetPos - m_origin) / m_zoom;
    return QPoint(static_cast<int>(std::floor(p.x())), static_cast<int>(std::floor(p.y())));
}

QPointF SemanticCanvas::widgetPos(QPointF imagePos) const
{
    return m_origin + imagePos * m_zoom;
}

QRect SemanticCanvas::widgetRect(const QRect& imageRect) const
{
    const QRectF r(widgetPos(imageRect.topLeft()),
                   widgetPos(QPointF(imageRect.right() + 1, imageRect.bottom() + 1)));
    return r.toAlignedRect().adjusted(-2, -2, 2, 2);
}

void SemanticCanvas::updateImageRect(const QRect& imageRect)
{
    update(widgetRect(imageRect));
}

void SemanticCanvas::refreshDisplay(const QRect& rect)
{
    const QImage& ids = m_document->ids();
    const QRect area = rect & ids.rect();
    const QVector<QRgb> table = ids.colorTable();
    for (int y = area.top(); y <= area.bottom(); ++y) {
        const uchar* src = ids.constScanLine(y);
        auto* dst = reinterpret_cast<QRgb*>(m_display.scanLine(y));
        for (int x = area.left(); x <= area.right(); ++x)
            dst[x] = src[x] < table.size() ? table[src[x]] : qRgb(0, 0, 0);
    }
}

void SemanticCanvas::resetDisplay()
{
    m_display = QImage(m_document->size(), QImage::Format_RGB32);
    refreshDisplay(m_display.rect());
}

void SemanticCanvas::paintEvent(QPaintEvent* event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), palette().color(QPalette::Dark));
    const QRectF target(m_origin, QSizeF(m_display.size()) * m_zoom);
    // No smoothing: class pixels must stay exact squares, never blended colours.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(target, m_display);
    painter.setPen(QPen(palette().color(QPalette::Shadow), 1));
    painter.drawRect(target.adjusted(-1, -1, 0, 0));

    painter.setRenderHint(QPainter::Antialiasing, true);
    const auto outline = [&painter](const QPainterPath& path) {
        painter.setPen(QPen(QColor(0, 0, 0, 200), 3));
        painter.drawPath(path);
        painter.setPen(QPen(QColor(255, 255, 255, 230), 1));
        painter.drawPath(path);
    };
    if (m_tool) {
        const QPainterPath overlay = m_tool->overlay();
        if (!overlay.isEmpty()) {
            QTransform toWidget;
            toWidget.translate(m_origin.x(), m_origin.y());
            toWidget.scale(m_zoom, m_zoom);
            outline(toWidget.map(overlay));
        }
    }
    if (m_tool && m_tool->showsBrushCursor() && m_brush && m_hover.x() >= 0) {
        const QRect box = raster::brushBounds(m_hover, m_brush->size);
        const QRectF r(widgetPos(box.topLeft()), QSizeF(box.size()) * m_zoom);
        QPainterPath path;
        if (m_brush->shape == raster::BrushShape::Round)
            path.addEllipse(r);
        else
            path.addRect(r);
        outline(path);
    }
}

void SemanticCanvas::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld)) {
        m_panning = true;
        m_panLast = event->position();
        setCursor(Qt::ClosedHandCursor);
        return;
    }
    if (event->button() == Qt::LeftButton && m_tool) {
        m_toolActive = true;
        m_tool->press(*m_document, imagePos(event->position()), m_class);
        update();
    }
}

void SemanticCanvas::mouseMoveEvent(QMouseEvent* event)
{
    if (m_panning) {
        m_origin += event->position() - m_panLast;
        m_panLast = event->position();
        update();
        return;
    }
    const QPoint pos = imagePos(event->position());
    const QPoint previous = m_hover;
    m_hover = m_document->ids().rect().contains(pos) ? pos : QPoint(-1, -1);
    Q_EMIT hovered(pos, m_document->classAt(pos));
    if (m_toolActive && m_tool) {
        m_tool->move(*m_document, pos, m_class);
        if (!m_tool->overlay().isEmpty())
            update();
    }
    if (m_brush && m_tool && m_tool->showsBrushCursor() && previous != m_hover) {
        const int size = m_brush->size;
        updateImageRect(raster::brushBounds(previous, size) | raster::brushBounds(pos, size));
    }
}

void SemanticCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_panning && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        m_panning = false;
        setCursor(Qt::CrossCursor);
        return;
    }
    if (event->button() == Qt::LeftButton && m_toolActive && m_tool) {
        m_toolActive = false;
        m_tool->release(*m_document, imagePos(event->position()), m_class);
        update();
    }
}

void SemanticCanvas::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0.0)
        setZoom(m_zoom * std::pow(ZoomStep, steps), event->position());
    event->accept();
}

void SemanticCanvas::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = true;
        setCursor(Qt::OpenHandCursor);
        return;
    }
    QWidget::keyPressEvent(event);
}

void SemanticCanvas::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        setCursor(Qt::CrossCursor);
        return;
    }
    QWidget::keyReleaseEvent(event);
}

void SemanticCanvas::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (m_fitPending)
        fitToView();
}

void SemanticCanvas::leaveEvent(QEvent* event)
{
    QWidget::leaveEvent(event);
    m_hover = QPoint(-1, -1);
    update();
}

} // namespace ldm::ui
