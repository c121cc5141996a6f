// SPDX-License-Identifier: GPL-3.0-or-later
#include "mask_canvas.h"

#include "mask_document.h"
#include "mask_ops.h"
#include "raster.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ldm::ui {

namespace {

constexpr double MinZoom = 0.05;
constexpr double MaxZoom = 32.0;
constexpr double ZoomStep = 1.25;
// The overlay: a strong magenta that rarely occurs in photos, half opaque over filled pixels.
constexpr int TintRed = 236;
constexpr int TintGreen = 32;
constexpr int TintBlue = 140;
constexpr int TintOpacity = 150; // of 255

int blend(int picture, int tint, int alpha)
{
    return (picture * (255 - alpha) + tint * alpha + 127) / 255;
}

} // namespace

MaskCanvas::MaskCanvas(MaskDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::CrossCursor);
    setMinimumSize(200, 200);
    connectDocument();
    resetDisplay();
}

void MaskCanvas::connectDocument()
{
    if (!m_document)
        return;
    connect(m_document, &MaskDocument::changed, this, [this](const QRect& rect) {
        recompose(rect);
        update(widgetRect(rect));
    });
    connect(m_document, &MaskDocument::reset, this, [this] {
        const bool sizeChanged = m_display.size() != m_document->size();
        resetDisplay();
        if (sizeChanged)
            fitToView();
        update();
    });
}

void MaskCanvas::setDocument(MaskDocument* document)
{
    if (document == m_document)
        return;
    if (m_document) {
        disconnect(m_document, nullptr, this, nullptr);
        m_document->endStroke(tr("Brush stroke")); // a stroke cut short still undoes
    }
    m_toolActive = false;
    m_document = document;
    connectDocument();
    resetDisplay();
    fitToView();
    update();
}

void MaskCanvas::setTool(Tool tool)
{
    m_tool = tool;
    update();
}

void MaskCanvas::setBrushSize(int size)
{
    m_brushSize = std::clamp(size, 1, 1024);
    update();
}

void MaskCanvas::setMaskVisible(bool visible)
{
    if (visible == m_maskVisible)
        return;
    m_maskVisible = visible;
    resetDisplay();
    update();
}

void MaskCanvas::setPlaceholder(const QString& text)
{
    m_placeholder = text;
    update();
}

bool MaskCanvas::painting() const
{
    return m_maskVisible && m_maskEditable && m_document && !m_document->isEmpty();
}

void MaskCanvas::setZoom(double zoom, QPointF anchor)
{
    zoom = std::clamp(zoom, MinZoom, MaxZoom);
    const QPointF imagePoint = (anchor - m_origin) / m_zoom;
    m_zoom = zoom;
    m_origin = anchor - imagePoint * m_zoom;
    m_fitPending = false;
    update();
    Q_EMIT zoomChanged(m_zoom);
}

void MaskCanvas::zoomIn()
{
    setZoom(m_zoom * ZoomStep, QRectF(rect()).center());
}

void MaskCanvas::zoomOut()
{
    setZoom(m_zoom / ZoomStep, QRectF(rect()).center());
}

void MaskCanvas::fitToView()
{
    const QSize image = m_display.size();
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

QPoint MaskCanvas::imagePos(QPointF widgetPos) const
{
    const QPointF p = (widgetPos - m_origin) / m_zoom;
    return QPoint(static_cast<int>(std::floor(p.x())), static_cast<int>(std::floor(p.y())));
}

QPointF MaskCanvas::widgetPos(QPointF imagePos) const
{
    return m_origin + imagePos * m_zoom;
}

QRect MaskCanvas::widgetRect(const QRect& imageRect) const
{
    const QRectF r(widgetPos(imageRect.topLeft()),
                   widgetPos(QPointF(imageRect.right() + 1, imageRect.bottom() + 1)));
    return r.toAlignedRect().adjusted(-2, -2, 2, 2);
}

void MaskCanvas::recompose(const QRect& rect)
{
    if (!m_document || m_document->isEmpty())
        return;
    const QImage& picture = m_document->picture();
    const QImage& mask = m_document->mask();
    const QRect area = rect & picture.rect();
    for (int y = area.top(); y <= area.bottom(); ++y) {
        const uchar* src = picture.constScanLine(y);
        const uchar* cover = mask.constScanLine(y);
        auto* dst = reinterpret_cast<QRgb*>(m_display.scanLine(y));
        for (int x = area.left(); x <= area.right(); ++x) {
            const int alpha = m_maskVisible ? cover[x] * TintOpacity / 255 : 0;
            const uchar* p = src + 3 * x;
            dst[x] = qRgb(blend(p[0], TintRed, alpha), blend(p[1], TintGreen, alpha),
                          blend(p[2], TintBlue, alpha));
        }
    }
}

void MaskCanvas::resetDisplay()
{
    if (!m_document || m_document->isEmpty()) {
        m_display = QImage();
        return;
    }
    m_display = QImage(m_document->size(), QImage::Format_RGB32);
    recompose(m_display.rect());
}

void MaskCanvas::paintEvent(QPaintEvent* event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), palette().color(QPalette::Dark));
    if (m_display.isNull()) {
        painter.setPen(palette().color(QPalette::BrightText));
        painter.drawText(rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap,
                         m_placeholder);
        return;
    }
    const QRectF target(m_origin, QSizeF(m_display.size()) * m_zoom);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, m_zoom < 1.0);
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
    if (!painting())
        return;
    if (m_toolActive && m_tool == Tool::Rectangle) {
        const QRect box = QRect(m_rectStart, m_hover).normalized();
        QPainterPath path;
        path.addRect(QRectF(widgetPos(box.topLeft()), QSizeF(box.size() + QSize(1, 1)) * m_zoom));
        outline(path);
    } else if ((m_tool == Tool::Brush || m_tool == Tool::Eraser) && m_hover.x() >= 0) {
        const QRect box = raster::brushBounds(m_hover, m_brushSize);
        QPainterPath path;
        path.addEllipse(QRectF(widgetPos(box.topLeft()), QSizeF(box.size()) * m_zoom));
        outline(path);
    }
}

void MaskCanvas::pressTool(QPoint pos)
{
    MaskDocument& document = *m_document;
    m_last = pos;
    m_rectStart = pos;
    switch (m_tool) {
    case Tool::Brush:
    case Tool::Eraser:
        document.beginStroke();
        document.touch(raster::stamp(document.strokeMask(), pos, m_brushSize,
                                     raster::BrushShape::Round,
                                     m_tool == Tool::Brush ? mask::Filled : mask::Kept));
        break;
    case Tool::Rectangle:
        break;
    case Tool::Fill:
        if (document.maskAt(pos) >= 0 && document.maskAt(pos) != mask::Filled) {
            document.beginStroke();
            document.touch(raster::floodFill(document.strokeMask(), pos, mask::Filled));
            document.endStroke(tr("Fill"));
        }
        break;
    }
}

void MaskCanvas::moveTool(QPoint pos)
{
    if (m_tool == Tool::Brush || m_tool == Tool::Eraser) {
        m_document->touch(raster::line(m_document->strokeMask(), m_last, pos, m_brushSize,
                                       raster::BrushShape::Round,
                                       m_tool == Tool::Brush ? mask::Filled : mask::Kept));
        m_last = pos;
    } else if (m_tool == Tool::Rectangle) {
        update();
    }
}

void MaskCanvas::releaseTool(QPoint pos)
{
    switch (m_tool) {
    case Tool::Brush:
        moveTool(pos);
        m_document->endStroke(tr("Brush stroke"));
        break;
    case Tool::Eraser:
        moveTool(pos);
        m_document->endStroke(tr("Eraser stroke"));
        break;
    case Tool::Rectangle:
        m_document->beginStroke();
        m_document->touch(
            raster::fillRect(m_document->strokeMask(), m_rectStart, pos, mask::Filled));
        m_document->endStroke(tr("Rectangle"));
        break;
    case Tool::Fill:
        break;
    }
}

void MaskCanvas::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld)) {
        m_panning = true;
        m_panLast = event->position();
        setCursor(Qt::ClosedHandCursor);
        return;
    }
    if (event->button() == Qt::LeftButton && painting()) {
        m_toolActive = true;
        m_hover = imagePos(event->position());
        pressTool(m_hover);
        update();
    }
}

void MaskCanvas::mouseMoveEvent(QMouseEvent* event)
{
    if (m_panning) {
        m_origin += event->position() - m_panLast;
        m_panLast = event->position();
        update();
        return;
    }
    const QPoint pos = imagePos(event->position());
    const QPoint previous = m_hover;
    m_hover = m_display.rect().contains(pos) || m_toolActive ? pos : QPoint(-1, -1);
    if (m_toolActive && painting())
        moveTool(pos);
    if (previous != m_hover)
        update(widgetRect(raster::brushBounds(previous, m_brushSize) |
                          raster::brushBounds(pos, m_brushSize)));
}

void MaskCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_panning && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
        m_panning = false;
        setCursor(Qt::CrossCursor);
        return;
    }
    if (event->button() == Qt::LeftButton && m_toolActive) {
        m_toolActive = false;
        if (painting())
            releaseTool(imagePos(event->position()));
        else if (m_document)
            m_document->endStroke(tr("Brush stroke"));
        update();
    }
}

void MaskCanvas::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0.0)
        setZoom(m_zoom * std::pow(ZoomStep, steps), event->position());
    event->accept();
}

void MaskCanvas::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = true;
        setCursor(Qt::OpenHandCursor);
        return;
    }
    QWidget::keyPressEvent(event);
}

void MaskCanvas::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        setCursor(Qt::CrossCursor);
        return;
    }
    QWidget::keyReleaseEvent(event);
}

void MaskCanvas::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (m_fitPending)
        fitToView();
}

void MaskCanvas::leaveEvent(QEvent* event)
{
    QWidget::leaveEvent(event);
    m_hover = QPoint(-1, -1);
    update();
}

} // namespace ldm::ui
