// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPixmap>
#include <QWidget>

namespace ldm::ui {

/// Shows the latest preview or result, scaled to fit with its aspect ratio kept.
///
/// Images arrive as QImage (they may come from the engine thread); the QPixmap is made here,
/// in the GUI thread, once per image rather than once per paint.
class PreviewView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PreviewView)

public:
    explicit PreviewView(QWidget* parent = nullptr);

    void setImage(const QImage& image, const QString& caption = {});
    void setPlaceholder(const QString& text);
    void clear();
    QImage image() const { return m_image; }

    QSize sizeHint() const override { return QSize(512, 512); }

Q_SIGNALS:
    /// "Edit This Picture" from the context menu: open the shown picture on the Edit page.
    void editRequested();

protected:
    void paintEvent(QPaintEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QImage m_image;
    QPixmap m_pixmap;
    QString m_caption;
    QString m_placeholder;
};

} // namespace ldm::ui
