// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace ldm::ui {

CompareView::CompareView(QWidget* parent)
    : QWidget(parent)
    , m_placeholder(tr("Open or drop an image to upscale it."))
{
    setMinimumSize(200, 160);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setCursor(Qt::SplitHCursor);
}

void CompareView::setBefore(const QImage& image)
{
    m_before = QPixmap::fromImage(image);
    update();
}

void CompareView::setAfter(const QImage& image, const QString& caption)
{
    m_after = QPixmap::fromImage(image);
    m_caption = caption;
    update();
}

void CompareView::clearAfter()
{
    m_after = QPixmap();
    m_caption.clear();
    update();
}

void CompareView::setSplit(double split)
{
    m_split = qBound(0.0, split, 1.0);
    update();
}

void CompareView::setPlaceholder(const QString& text)
{
    m_placeholder = text;
    update();
}

QRect CompareView::imageRect() const
{
    const QPixmap& reference = m_after.isNull() ? m_before : m_after;
    if (reference.isNull())
        return {};
    const QSize fitted = reference.size().scaled(size() - QSize(16, 16), Qt::KeepAspectRatio);
    return QRect(QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted);
}

void CompareView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    const QRect target = imageRect();
    if (target.isEmpty()) {
        painter.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DashLine));
        painter.drawRoundedRect(QRectF(rect()).adjusted(8.5, 8.5, -8.5, -8.5), 8, 8);
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    if (m_after.isNull()) {
        painter.drawPixmap(target, m_before);
        return;
    }
    const int splitX = target.left() + qRound(target.width() * m_split);
    painter.drawPixmap(target, m_after);
    if (!m_before.isNull()) {
        painter.save();
        painter.setClipRect(QRect(target.topLeft(), QPoint(splitX, target.bottom())));
        // Nearest-neighbour for "before": it shows honestly what the input had.
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        painter.drawPixmap(target, m_before);
        painter.restore();
    }
    painter.setPen(QPen(Qt::white, 2));
    painter.drawLine(splitX, target.top(), splitX, target.bottom());
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(Qt::white);
    painter.drawEllipse(QPointF(splitX, target.center().y()), 7, 7);

    const auto label = [&painter](const QRect& box, const QString& text) {
        painter.fillRect(box, QColor(0, 0, 0, 140));
        painter.setPen(Qt::white);
        painter.drawText(box, Qt::AlignCenter, text);
    };
    const QFontMetrics metrics(font());
    const QString before = tr("Before");
    const QString after = m_caption.isEmpty() ? tr("After") : m_caption;
    label(QRect(target.left() + 8, target.top() + 8, metrics.horizontalAdvance(before) + 16, 22),
          before);
    const int afterWidth = metrics.horizontalAdvance(after) + 16;
    label(QRect(target.right() - 8 - afterWidth, target.top() + 8, afterWidth, 22), after);
}

void CompareView::mousePressEvent(QMouseEvent* event)
{
    mouseMoveEvent(event);
}

void CompareView::mouseMoveEvent(QMouseEvent* event)
{
    if (!(event->buttons() & Qt::LeftButton))
        return;
    const QRect target = imageRect();
    if (target.width() > 0)
        setSplit((event->position().x() - target.left()) / target.width());
}

} // namespace ldm::ui
