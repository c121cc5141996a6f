// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/image_convert.h"

#include "core/regular_file.h"

#include <openssl/evp.h>

#include <cstdio>
#include <memory>

namespace ldm {

torch::Tensor imageToTensor(const RgbImage& image)
{
    auto bytes = torch::from_blob(const_cast<uint8_t*>(image.pixels.data()),
                                  {image.height, image.width, 3}, torch::kUInt8);
    return bytes.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div(127.5).sub(1.0).contiguous();
}

RgbImage tensorToImage(const torch::Tensor& image)
{
    torch::Tensor chw = image.dim() == 4 ? image[0] : image;
    torch::Tensor hwc = ((chw.detach().to(torch::kCPU, torch::kFloat32) + 1) / 2)
                            .clamp(0, 1)
                            .mul(255)
                            .to(torch::kUInt8) // truncates toward zero
                            .permute({1, 2, 0})
                            .contiguous();
    RgbImage out;
    out.height = int(hwc.size(0));
    out.width = int(hwc.size(1));
    out.pixels.assign(hwc.data_ptr<uint8_t>(), hwc.data_ptr<uint8_t>() + hwc.numel());
    return out;
}

torch::Tensor labelsToOneHot(const LabelMap& map, int64_t classes)
{
    auto ids = torch::from_blob(const_cast<uint8_t*>(map.ids.data()), {map.height, map.width},
                                torch::kUInt8)
                   .to(torch::kLong);
    return torch::one_hot(ids, classes).permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).contiguous();
}

namespace {

struct DigestDeleter {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

std::string toHex(const unsigned char* digest, unsigned length, size_t digits)
{
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out.substr(0, digits);
}

} // namespace

std::string sha256Hex(const void* data, size_t size, size_t digits)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_Digest(data, size, digest, &length, EVP_sha256(), nullptr);
    return toHex(digest, length, digits);
}

std::string sha256OfFile(const std::string& path, size_t digits)
{
    auto fd = files::openRegular(path); // never waits on a FIFO
    if (!fd)
        return {};
    std::unique_ptr<FILE, int (*)(FILE*)> file(::fdopen(fd->get(), "rb"), &std::fclose);
    if (!file)
        return {};
    fd->release(); // the FILE owns it now
    std::unique_ptr<EVP_MD_CTX, DigestDeleter> context(EVP_MD_CTX_new());
    EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
    std::vector<unsigned char> buffer(1 << 20);
    size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0)
        EVP_DigestUpdate(context.get(), buffer.data(), got);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_DigestFinal_ex(context.get(), digest, &length);
    return toHex(digest, length, digits);
}

} // namespace ldm
