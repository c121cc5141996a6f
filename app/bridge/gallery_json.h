// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// JSON form of gallery items, shared by the store's index.json and the archive's gallery.json.
// nlohmann_json rather than QJson: seeds are full 64-bit integers and QJson keeps only doubles.

#include "gallery_store.h"

#include <nlohmann/json.hpp>

namespace ldm::bridge {

nlohmann::json galleryItemToJson(const GalleryItem& item);
Result<GalleryItem> galleryItemFromJson(const nlohmann::json& json);

/// {"version": 1, "items": [...]} as UTF-8 text.
QByteArray galleryItemsToJson(const QList<GalleryItem>& items);
Result<QList<GalleryItem>> galleryItemsFromJson(const QByteArray& text);

} // namespace ldm::bridge
