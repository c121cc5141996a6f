// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/cuda_device_name.h"

#include <dlfcn.h>

namespace ldm {

std::string cudaDeviceName(int index)
{
    // The driver API's C functions (cuda.h): CUresult is an int, CUdevice an int, 0 = success.
    using InitFn = int (*)(unsigned int);
    using DeviceGetFn = int (*)(int*, int);
    using DeviceGetNameFn = int (*)(char*, int, int);
    void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!driver)
        return {};
    std::string name;
    const auto init = reinterpret_cast<InitFn>(dlsym(driver, "cuInit"));
    const auto deviceGet = reinterpret_cast<DeviceGetFn>(dlsym(driver, "cuDeviceGet"));
    const auto deviceGetName = reinterpret_cast<DeviceGetNameFn>(dlsym(driver, "cuDeviceGetName"));
    int device = 0;
    char buffer[256] = {};
    if (init && deviceGet && deviceGetName && init(0) == 0 && deviceGet(&device, index) == 0 &&
        deviceGetName(buffer, int(sizeof buffer) - 1, device) == 0)
        name = buffer;
    dlclose(driver);
    return name;
}

} // namespace ldm
