// SPDX-License-Identifier: GPL-3.0-or-later
#include "gallery_json.h"

namespace ldm::bridge {

namespace {

constexpr int IndexVersion = 1;

QString text(const nlohmann::json& json, const char* key)
{
    const auto it = json.find(key);
    return it != json.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                               : QString();
}

} // namespace

nlohmann::json galleryItemToJson(const GalleryItem& item)
{
    return nlohmann::json{
        {"id", item.id.toStdString()},
        {"image", item.imageFile.toStdString()},
        {"map", item.mapFile.toStdString()},
        {"input", item.inputFile.toStdString()},
        {"mask", item.maskFile.toStdString()},
        {"thumb", item.thumbFile.toStdString()},
        {"image_sha256", item.imageSha256.toStdString()},
        {"map_sha256", item.mapSha256.toStdString()},
        {"input_sha256", item.inputSha256.toStdString()},
        {"mask_sha256", item.maskSha256.toStdString()},
        {"created", item.created.toUTC().toString(Qt::ISODateWithMs).toStdString()},
        {"recipe", toJson(item.recipe)},
    };
}

Result<GalleryItem> galleryItemFromJson(const nlohmann::json& json)
{
    if (!json.is_object())
        return makeError(ErrorCode::InvalidFile, "gallery item is not an object");
    GalleryItem item;
    item.id = text(json, "id");
    item.imageFile = text(json, "image");
    item.mapFile = text(json, "map");
    item.inputFile = text(json, "input");
    item.maskFile = text(json, "mask");
    item.thumbFile = text(json, "thumb");
    item.imageSha256 = text(json, "image_sha256");
    item.mapSha256 = text(json, "map_sha256");
    item.inputSha256 = text(json, "input_sha256");
    item.maskSha256 = text(json, "mask_sha256");
    item.created = QDateTime::fromString(text(json, "created"), Qt::ISODateWithMs);
    if (item.id.isEmpty() || item.imageFile.isEmpty())
        return makeError(ErrorCode::InvalidFile, "gallery item without id or image");
    const auto recipe = json.find("recipe");
    if (recipe == json.end())
        return makeError(ErrorCode::InvalidFile, "gallery item without recipe");
    auto parsed = recipeFromJson(*recipe);
    if (!parsed.ok())
        return parsed.error();
    item.recipe = parsed.value();
    return item;
}

QByteArray galleryItemsToJson(const QList<GalleryItem>& items)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& item : items)
        list.push_back(galleryItemToJson(item));
    const nlohmann::json root{{"version", IndexVersion}, {"items", std::move(list)}};
    return QByteArray::fromStdString(
        root.dump(1, '\t', false, nlohmann::json::error_handler_t::replace));
}

Result<QList<GalleryItem>> galleryItemsFromJson(const QByteArray& bytes)
{
    const auto root = nlohmann::json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return makeError(ErrorCode::InvalidFile, "not valid JSON");
    const auto versionIt = root.find("version");
    const int version =
        versionIt != root.end() && versionIt->is_number_integer() ? versionIt->get<int>() : 0;
    if (version > IndexVersion)
        return makeError(ErrorCode::InvalidFile, "written by a newer version of Latent Canvas");
    const auto items = root.find("items");
    if (items == root.end() || !items->is_array())
        return makeError(ErrorCode::InvalidFile, "no item list");
    QList<GalleryItem> out;
    for (const auto& entry : *items) {
        auto item = galleryItemFromJson(entry);
        if (!item.ok())
            return item.error();
        out.append(item.value());
    }
    return out;
}

} // namespace ldm::bridge
