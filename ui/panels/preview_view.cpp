// SPDX-License-Identifier: GPL-3.0-or-later
#include "preview_view.h"

#include <QContextMenuEvent>
#include <QMenu>
#include <QPainter>

namespace ldm::ui {

PreviewView::PreviewView(QWidget* parent)
    : QWidget(parent)
    , m_placeholder(tr("Generated images appear here."))
{
    setMinimumSize(160, 160);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void PreviewView::setImage(const QImage& image, const QString& caption)
{
    m_image = image;
    m_pixmap = QPixmap::fromImage(image);
    m_caption = caption;
    update();
}

void PreviewView::setPlaceholder(const QString& text)
{
    m_placeholder = text;
    update();
}

void PreviewView::clear()
{
    m_image = QImage();
    m_pixmap = QPixmap();
    m_caption.clear();
    update();
}

void PreviewView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    if (m_pixmap.isNull()) {
        painter.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DashLine));
        painter.drawRoundedRect(QRectF(rect()).adjusted(8.5, 8.5, -8.5, -8.5), 8, 8);
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap,
                         m_placeholder);
        return;
    }
    const QSize fitted = m_pixmap.size().scaled(size() - QSize(16, 16), Qt::KeepAspectRatio);
    const QRect target(QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2),
                       fitted);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, fitted.width() < m_pixmap.width());
    painter.drawPixmap(target, m_pixmap);
    if (!m_caption.isEmpty()) {
        const QRect band(target.left(), target.bottom() - 24, target.width(), 24);
        painter.fillRect(band, QColor(0, 0, 0, 140));
        painter.setPen(Qt::white);
        painter.drawText(band.adjusted(8, 0, -8, 0), Qt::AlignVCenter | Qt::AlignLeft, m_caption);
    }
}

void PreviewView::contextMenuEvent(QContextMenuEvent* event)
{
    if (m_image.isNull())
        return;
    QMenu menu(this);
    connect(menu.addAction(tr("Edit This Picture")), &QAction::triggered, this,
            &PreviewView::editRequested);
    menu.exec(event->globalPos());
}

} // namespace ldm::ui
