# SPDX-License-Identifier: GPL-3.0-or-later
"""Loads k-diffusion's utils, sampling and external modules from a checkout for the reference
scripts here, with the third-party imports those functions do not need stubbed (scipy gets only
`integrate.quad` when a script passes one; torchsde is stubbed unless the script needs it)."""
import importlib.util
import sys
import types


def load_k_diffusion(repo, stub_torchsde=True, quad=None):
    stubbed = ["torchdiffeq", "tqdm", "tqdm.auto", "safetensors", "torchvision",
               "torchvision.transforms"] + (["torchsde"] if stub_torchsde else [])
    for name in stubbed:
        module = types.ModuleType(name)
        module.odeint = None
        module.trange = lambda n, disable=None: range(n)
        module.tqdm = None
        module.functional = None
        sys.modules.setdefault(name, module)
    scipy = types.ModuleType("scipy")
    scipy.integrate = types.SimpleNamespace(quad=quad)
    sys.modules.setdefault("scipy", scipy)
    package = types.ModuleType("k_diffusion")
    package.__path__ = [repo + "/k_diffusion"]
    sys.modules["k_diffusion"] = package
    loaded = {}
    for name in ("utils", "sampling", "external"):
        spec = importlib.util.spec_from_file_location("k_diffusion." + name,
                                                      f"{repo}/k_diffusion/{name}.py")
        loaded[name] = importlib.util.module_from_spec(spec)
        sys.modules["k_diffusion." + name] = loaded[name]
        setattr(package, name, loaded[name])
    for name in ("utils", "sampling", "external"):
        loaded[name].__spec__.loader.exec_module(loaded[name])
    return loaded
