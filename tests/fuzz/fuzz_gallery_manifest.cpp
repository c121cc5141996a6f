// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the gallery manifest parser (app/bridge/gallery_json.cpp): the
// gallery.json of an imported archive and the store's own index.json. It needs Qt Core (the
// items hold QStrings and QDateTimes) but no GUI: gallery_json.cpp and the recipe readers are
// its only sources, linked with Qt6::Core (Qt itself is not instrumented).
//
// What it checks: a refusal carries a message; a manifest that parses is written by
// galleryItemsToJson (the archive export) and read back to the same items, so an import never
// accepts what the next export would write differently or refuse.
//
// Build: tests/fuzz/CMakeLists.txt, target fuzz_gallery_manifest (needs Qt6 Core and Gui).
// Seeds are in tests/fuzz/corpus/gallery_manifest; copy them to a scratch folder first:
//   /work/fuzz-build/bin/fuzz_gallery_manifest -max_len=8192 -dict=tests/fuzz/gallery.dict
//       /work/fuzz-build/corpus-gallery
#include "gallery_json.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char*>(data), qsizetype(size));
    const auto items = ldm::bridge::galleryItemsFromJson(text);
    if (!items.ok()) {
        if (items.error().message.empty())
            std::abort();
        return 0;
    }
    for (const auto& item : items.value())
        if (item.id.isEmpty() || item.imageFile.isEmpty())
            std::abort(); // the parser promises both
    const QByteArray written = ldm::bridge::galleryItemsToJson(items.value());
    const auto again = ldm::bridge::galleryItemsFromJson(written);
    if (!again.ok() || again->size() != items->size())
        std::abort(); // what we export, we must import
    for (qsizetype i = 0; i < items->size(); ++i) {
        const auto& a = items->at(i);
        const auto& b = again->at(i);
        if (a.id != b.id || a.imageFile != b.imageFile || a.mapFile != b.mapFile ||
            a.imageSha256 != b.imageSha256 || a.mapSha256 != b.mapSha256 ||
            a.inputFile != b.inputFile || a.maskFile != b.maskFile)
            std::abort();
    }
    return 0;
}
