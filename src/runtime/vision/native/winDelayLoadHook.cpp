// Windows only. The addon imports napi_* from "node.exe" (node.lib); VS Code runs the runtime in its
// own executable (Electron as Node), whose name is not node.exe. As node-gyp's win_delay_load_hook.cc:
// node.exe is delay-loaded, and this hook hands the loader the process's own module instead.
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <delayimp.h>
#include <string.h>

static FARPROC WINAPI load_exe_hook(unsigned int event, DelayLoadInfo* info) {
    if (event != dliNotePreLoadLibrary) return nullptr;
    if (_stricmp(info->szDll, "node.exe") != 0) return nullptr;
    return reinterpret_cast<FARPROC>(GetModuleHandle(nullptr));
}

decltype(__pfnDliNotifyHook2) __pfnDliNotifyHook2 = load_exe_hook;
#endif
