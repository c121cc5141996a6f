// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/gallery_store.h"

#include <QFuture>
#include <QImage>
#include <QList>
#include <QObject>
#include <QThreadPool>

namespace ldm::ui {

/// Files finished pictures into the gallery without stalling the GUI: the PNG encoding and the
/// thumbnail (tens of milliseconds per picture) are made on a worker thread, one at a time so
/// results keep their order; the few small writes and the index update happen on the GUI
/// thread, which owns the store.
class ResultSaver final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResultSaver)

public:
    explicit ResultSaver(bridge::GalleryStore* store, QObject* parent = nullptr);
    /// Files whatever is still being encoded (nothing generated is lost on quit).
    ~ResultSaver() override;

    /// Files `image` with its recipe and the pictures it was made from (map, edit input, mask).
    void save(const QImage& image, const Recipe& recipe, const bridge::ItemSources& sources);
    /// Waits for the encodings in flight and files them now.
    void flush();
    int pending() const { return static_cast<int>(m_pending.size()); }

Q_SIGNALS:
    void saved(const QString& id);
    void failed(const QString& message);

private:
    struct Encoded
    {
        bridge::EncodedItem item;
        QString error; ///< empty when `item` is good
    };

    /// Files the finished encodings at the head of the queue, in order.
    void fileFinished();
    void file(const Encoded& encoded);

    bridge::GalleryStore* m_store;
    QThreadPool m_pool;
    QList<QFuture<Encoded>> m_pending;
};

} // namespace ldm::ui
