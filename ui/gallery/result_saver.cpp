// SPDX-License-Identifier: GPL-3.0-or-later
#include "result_saver.h"

#include "bridge/image_io.h"

#include <QFutureWatcher>
#include <QSignalBlocker>
#include <QtConcurrent/QtConcurrentRun>

namespace ldm::ui {

ResultSaver::ResultSaver(bridge::GalleryStore* store, QObject* parent)
    : QObject(parent)
    , m_store(store)
{
    m_pool.setMaxThreadCount(1); // one at a time: first finished, first filed
}

ResultSaver::~ResultSaver()
{
    // The owner may be half destroyed: file silently, the store outlives both.
    const QSignalBlocker quiet(this);
    flush();
}

void ResultSaver::save(const QImage& image, const Recipe& recipe,
                       const bridge::ItemSources& sources)
{
    QFuture<Encoded> future = QtConcurrent::run(&m_pool, [image, recipe, sources] {
        auto encoded = bridge::GalleryStore::encodeItem(image, recipe, sources);
        return encoded.ok() ? Encoded{encoded.value(), QString()}
                            : Encoded{{}, bridge::errorText(encoded.error())};
    });
    m_pending.append(future);
    auto* watcher = new QFutureWatcher<Encoded>(this);
    connect(watcher, &QFutureWatcher<Encoded>::finished, this, [this, watcher] {
        watcher->deleteLater();
        fileFinished();
    });
    watcher->setFuture(future);
}

void ResultSaver::flush()
{
    while (!m_pending.isEmpty()) {
        QFuture<Encoded> head = m_pending.takeFirst();
        head.waitForFinished();
        file(head.result());
    }
}

void ResultSaver::fileFinished()
{
    while (!m_pending.isEmpty() && m_pending.first().isFinished())
        file(m_pending.takeFirst().result());
}

void ResultSaver::file(const Encoded& encoded)
{
    if (!encoded.error.isEmpty()) {
        Q_EMIT failed(encoded.error);
        return;
    }
    const auto added = m_store->addItem(encoded.item);
    if (added.ok())
        Q_EMIT saved(added.value());
    else
        Q_EMIT failed(bridge::errorText(added.error()));
}

} // namespace ldm::ui
