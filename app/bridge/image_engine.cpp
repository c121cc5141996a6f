// SPDX-License-Identifier: GPL-3.0-or-later
#include "image_engine.h"

#include <QCoreApplication>

#include <cstring>
#include <utility>

namespace ldm::bridge {

std::vector<std::uint8_t> labelIds(const QImage& labelMap)
{
    if (labelMap.format() != QImage::Format_Indexed8)
        return {};
    const int width = labelMap.width();
    std::vector<std::uint8_t> ids(static_cast<std::size_t>(width) * labelMap.height());
    // QImage rows are padded to 4 bytes, so copy row by row.
    for (int y = 0; y < labelMap.height(); ++y)
        std::memcpy(ids.data() + static_cast<std::size_t>(y) * width, labelMap.constScanLine(y),
                    static_cast<std::size_t>(width));
    return ids;
}

Result<ModelDescription> ImageEngine::loadModel(const QString& nameOrPath)
{
    (void)nameOrPath;
    return makeError(
        ErrorCode::InvalidRequest,
        QCoreApplication::translate("ldm::bridge::ImageEngine", "This engine cannot load models.")
            .toStdString());
}

JobOutcome JobOutcome::completed(QImage image, Recipe recipe)
{
    JobOutcome o;
    o.status = Status::Completed;
    o.image = std::move(image);
    o.recipe = std::move(recipe);
    return o;
}

JobOutcome JobOutcome::cancelled()
{
    JobOutcome o;
    o.status = Status::Cancelled;
    return o;
}

JobOutcome JobOutcome::failed(QString message)
{
    JobOutcome o;
    o.status = Status::Failed;
    o.message = std::move(message);
    return o;
}

} // namespace ldm::bridge
