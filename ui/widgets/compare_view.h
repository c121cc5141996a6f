// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPixmap>
#include <QWidget>

namespace ldm::ui {

/// Before/after comparison: the input (scaled up) left of a draggable split line, the output
/// right of it, both drawn at the output's size so details line up.
class CompareView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CompareView)

public:
    explicit CompareView(QWidget* parent = nullptr);

    void setBefore(const QImage& image);
    void setAfter(const QImage& image, const QString& caption = {});
    void clearAfter();
    /// Split position, 0 (all after) .. 1 (all before).
    double split() const { return m_split; }
    void setSplit(double split);
    void setPlaceholder(const QString& text);

    QSize sizeHint() const override { return QSize(640, 480); }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QRect imageRect() const;

    QPixmap m_before;
    QPixmap m_after;
    QString m_caption;
    QString m_placeholder;
    double m_split = 0.5;
};

} // namespace ldm::ui
