// Bora's vision addon: llama.cpp's mtmd behind a small N-API surface, on the llama_model that
// node-llama-cpp already loaded for chat (one copy of the weights: see sharedModel.cpp).
//
//   backendDeviceCount(): number            ggml devices already registered (by node-llama-cpp)
//   loadBackends(dir): void                 registers the backends in `dir` when none are registered
//   libraryInfo(): { llamaLibrary, devices }  the libllama this addon is bound to, and ggml's devices
//   open(options): Promise<Session>         a context + the mmproj on the shared model (off the JS thread)
//   generate(session, options, onText): Promise<Result>   image + prompt -> streamed text
//   cancel(session): void                   ends the running generate() at the next token
//   close(session): Promise<void>           frees the context and projector (after a running generate())
//
// The session never frees the model: node-llama-cpp owns it, and the runtime closes every session
// before it lets node-llama-cpp dispose the model. All llama.cpp work runs in napi async work
// (libuv's pool); text reaches JS through a threadsafe function. mtmd_input_text needs text_len: it
// is value-initialised below.
#include <node_api.h>

#include "ggml-backend.h"
#include "llama.h"
#include "mtmd-helper.h"
#include "mtmd.h"
#include "sharedModel.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace {

std::mutex g_log_mutex;
std::string g_last_error;
std::string g_encoder_backend;
/** Compute buffer bytes clip reserved since the last reset (it logs them; there is no getter). */
double g_encoder_compute_bytes = 0;

void on_log(ggml_log_level level, const char* text, void*) {
    if (text == nullptr) return;
    // clip.cpp: "clip_ctx: CLIP using CUDA0 backend" when the projector's backend is chosen.
    if (const char* at = std::strstr(text, "CLIP using ")) {
        std::string rest(at + std::strlen("CLIP using "));
        std::lock_guard<std::mutex> lock(g_log_mutex);
        g_encoder_backend = rest.substr(0, rest.find(" backend"));
        return;
    }
    // clip.cpp: "alloc_compute_meta:        CPU compute buffer size =     1.23 MiB" per backend.
    if (const char* at = std::strstr(text, "compute buffer size = ")) {
        std::lock_guard<std::mutex> lock(g_log_mutex);
        g_encoder_compute_bytes += std::atof(at + std::strlen("compute buffer size = ")) * 1024.0 * 1024.0;
        return;
    }
    if (level != GGML_LOG_LEVEL_ERROR) return;
    std::lock_guard<std::mutex> lock(g_log_mutex);
    g_last_error += text;
    if (g_last_error.size() > 2000) g_last_error.erase(0, g_last_error.size() - 2000);
}

std::string take_last_error() {
    std::lock_guard<std::mutex> lock(g_log_mutex);
    std::string out;
    out.swap(g_last_error);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

struct Session {
    /** Borrowed from node-llama-cpp: never freed here. */
    llama_model* model = nullptr;
    llama_context* ctx = nullptr;
    mtmd_context* mctx = nullptr;
    int n_ctx = 4096;
    int n_batch = 2048;
    /**
     * llama.cpp reserves the compute buffer for a whole ubatch of outputs (n_ubatch × vocabulary
     * floats: 1 GB at 2048 tokens and a 128 k vocabulary, in VRAM when the model is on the GPU).
     * Pixtral's image tokens attend causally, so they need not fit in one ubatch.
     */
    int n_ubatch = 512;
    std::string encoder_backend;
    std::atomic<bool> cancel{false};
    std::atomic<bool> busy{false};
    bool closed = false;
    /** close() while generate() runs: resolved once generate() has stopped and the session is freed. */
    std::vector<napi_deferred> on_closed;

    /** Frees what this session made on the shared model; the model itself stays with node-llama-cpp. */
    void free_all() {
        if (mctx) mtmd_free(mctx);
        if (ctx) llama_free(ctx);
        mctx = nullptr; ctx = nullptr; model = nullptr;
    }
};

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, nullptr, "N-API call failed: " #call); return nullptr; } } while (0)

std::string get_string(napi_env env, napi_value obj, const char* key, bool* present = nullptr) {
    napi_value v; napi_valuetype t;
    if (present) *present = false;
    if (napi_get_named_property(env, obj, key, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok || t != napi_string) return "";
    size_t len = 0;
    napi_get_value_string_utf8(env, v, nullptr, 0, &len);
    std::string s(len, '\0');
    napi_get_value_string_utf8(env, v, s.data(), len + 1, &len);
    if (present) *present = true;
    return s;
}

int get_int(napi_env env, napi_value obj, const char* key, int fallback) {
    napi_value v; napi_valuetype t; int32_t out;
    if (napi_get_named_property(env, obj, key, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok || t != napi_number) return fallback;
    napi_get_value_int32(env, v, &out);
    return out;
}

double get_double(napi_env env, napi_value obj, const char* key, double fallback) {
    napi_value v; napi_valuetype t; double out;
    if (napi_get_named_property(env, obj, key, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok || t != napi_number) return fallback;
    napi_get_value_double(env, v, &out);
    return out;
}

bool get_bool(napi_env env, napi_value obj, const char* key, bool fallback) {
    napi_value v; napi_valuetype t; bool out;
    if (napi_get_named_property(env, obj, key, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok || t != napi_boolean) return fallback;
    napi_get_value_bool(env, v, &out);
    return out;
}

napi_value make_error(napi_env env, const std::string& code, const std::string& message) {
    napi_value msg, err, c;
    napi_create_string_utf8(env, message.c_str(), message.size(), &msg);
    napi_create_error(env, nullptr, msg, &err);
    napi_create_string_utf8(env, code.c_str(), code.size(), &c);
    napi_set_named_property(env, err, "code", c);
    return err;
}

Session* unwrap(napi_env env, napi_value v) {
    void* data = nullptr;
    if (napi_get_value_external(env, v, &data) != napi_ok || data == nullptr) {
        napi_throw_type_error(env, nullptr, "expected a vision session");
        return nullptr;
    }
    return static_cast<Session*>(data);
}

// ---- open -------------------------------------------------------------------------------

struct OpenWork {
    napi_async_work work = nullptr;
    napi_deferred deferred = nullptr;
    std::string mmproj_path, error_code, error;
    int n_ctx = 4096, threads = 1, image_max_tokens = 0;
    bool use_gpu = false;
    llama_model* model = nullptr;
    Session* session = nullptr;
};

void open_execute(napi_env, void* data) {
    auto* w = static_cast<OpenWork*>(data);
    auto s = new Session();
    take_last_error();
    s->model = w->model;
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = w->n_ctx;
    cp.n_batch = s->n_batch;
    cp.n_ubatch = s->n_ubatch;
    cp.n_threads = w->threads;
    cp.n_threads_batch = w->threads;
    s->ctx = llama_init_from_model(s->model, cp);
    if (!s->ctx) {
        w->error_code = "contextFailed";
        w->error = "llama.cpp could not create a context: " + take_last_error();
        s->free_all(); delete s;
        return;
    }
    s->n_ctx = (int) llama_n_ctx(s->ctx);
    mtmd_context_params mparams = mtmd_context_params_default();
    mparams.use_gpu = w->use_gpu;
    mparams.n_threads = w->threads;
    mparams.print_timings = false;
    mparams.warmup = false;
    if (w->image_max_tokens > 0) mparams.image_max_tokens = w->image_max_tokens;
    {
        std::lock_guard<std::mutex> lock(g_log_mutex);
        g_encoder_backend.clear();
    }
    s->mctx = mtmd_init_from_file(w->mmproj_path.c_str(), s->model, mparams);
    {
        std::lock_guard<std::mutex> lock(g_log_mutex);
        s->encoder_backend = g_encoder_backend;
    }
    if (!s->mctx) {
        w->error_code = "mmprojLoadFailed";
        w->error = "llama.cpp could not load the vision projector " + w->mmproj_path + ": " + take_last_error();
        s->free_all(); delete s;
        return;
    }
    if (!mtmd_support_vision(s->mctx)) {
        w->error_code = "noVision";
        w->error = "the projector " + w->mmproj_path + " has no vision encoder";
        s->free_all(); delete s;
        return;
    }
    w->session = s;
}

// Only ever reached after close(): the runtime closes every session before node-llama-cpp may free
// the model, and the JS side keeps the session object until then (the generate() work holds a
// reference of its own while it runs).
void session_finalize(napi_env, void* data, void*) {
    auto* s = static_cast<Session*>(data);
    if (s->busy) return; // unreachable: a running generate() references the session
    s->free_all();
    delete s;
}

void open_complete(napi_env env, napi_status, void* data) {
    auto* w = static_cast<OpenWork*>(data);
    if (w->session) {
        napi_value ext;
        napi_create_external(env, w->session, session_finalize, nullptr, &ext);
        napi_value result, backend;
        napi_create_object(env, &result);
        napi_set_named_property(env, result, "session", ext);
        const std::string& name = w->session->encoder_backend;
        napi_create_string_utf8(env, name.c_str(), name.size(), &backend);
        napi_set_named_property(env, result, "encoderBackend", backend);
        napi_resolve_deferred(env, w->deferred, result);
    } else {
        napi_reject_deferred(env, w->deferred, make_error(env, w->error_code, w->error));
    }
    napi_delete_async_work(env, w->work);
    delete w;
}

napi_value js_open(napi_env env, napi_callback_info info) {
    size_t argc = 1; napi_value argv[1];
    CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
    napi_value promise, name;
    napi_deferred deferred;
    CHECK(napi_create_promise(env, &deferred, &promise));
    SharedModelExpectation expected;
    expected.path = get_string(env, argv[0], "modelPath");
    expected.size = (uint64_t) get_double(env, argv[0], "modelSize", -1);
    napi_value addon_model;
    std::string error;
    llama_model* model = nullptr;
    if (napi_get_named_property(env, argv[0], "model", &addon_model) == napi_ok) {
        model = borrow_node_llama_cpp_model(env, addon_model, expected, error);
    } else {
        error = "no model was given";
    }
    if (model == nullptr) {
        napi_reject_deferred(env, deferred, make_error(env, "sharedModelUnavailable", error));
        return promise;
    }
    auto* w = new OpenWork();
    w->deferred = deferred;
    w->model = model;
    w->mmproj_path = get_string(env, argv[0], "mmprojPath");
    w->n_ctx = get_int(env, argv[0], "contextSize", 4096);
    w->threads = get_int(env, argv[0], "threads", 1);
    w->use_gpu = get_bool(env, argv[0], "useGpu", false);
    w->image_max_tokens = get_int(env, argv[0], "imageMaxTokens", 0);
    napi_create_string_utf8(env, "bora.vision.open", NAPI_AUTO_LENGTH, &name);
    CHECK(napi_create_async_work(env, nullptr, name, open_execute, open_complete, w, &w->work));
    CHECK(napi_queue_async_work(env, w->work));
    return promise;
}

// ---- generate ---------------------------------------------------------------------------

struct GenerateWork {
    napi_async_work work = nullptr;
    napi_deferred deferred = nullptr;
    napi_threadsafe_function on_text = nullptr;
    napi_ref session_ref = nullptr;
    Session* session = nullptr;
    std::string prompt, image_path, error_code, error, text, stop_reason = "eos";
    std::vector<unsigned char> image_bytes;
    int max_tokens = 512;
    int image_tokens = 0, prompt_tokens = 0, generated = 0, image_nx = 0, image_ny = 0;
    double encoder_compute_bytes = 0;
};

void call_on_text(napi_env env, napi_value fn, void*, void* data) {
    auto* piece = static_cast<std::string*>(data);
    if (env != nullptr && fn != nullptr) {
        napi_value arg, undef;
        napi_create_string_utf8(env, piece->c_str(), piece->size(), &arg);
        napi_get_undefined(env, &undef);
        napi_call_function(env, undef, fn, 1, &arg, nullptr);
    }
    delete piece;
}

// Length of the longest prefix of `s` that does not end inside a UTF-8 sequence.
size_t complete_utf8(const std::string& s) {
    size_t n = s.size(), i = n, back = 0;
    while (i > 0 && back < 4) {
        unsigned char c = (unsigned char) s[i - 1];
        ++back;
        if ((c & 0xC0) == 0x80) { --i; continue; }
        size_t need = (c & 0x80) == 0 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        return back >= need ? n : i - 1;
    }
    return n;
}

void generate_execute(napi_env, void* data) {
    auto* w = static_cast<GenerateWork*>(data);
    Session* s = w->session;
    take_last_error();
    {
        std::lock_guard<std::mutex> lock(g_log_mutex);
        g_encoder_compute_bytes = 0;
    }
    const llama_vocab* vocab = llama_model_get_vocab(s->model);
    llama_memory_clear(llama_get_memory(s->ctx), true);

    mtmd_helper_bitmap_wrapper bw{};
    bool has_image = !w->image_path.empty() || !w->image_bytes.empty();
    if (has_image) {
        mtmd_helper_init_opt opt = mtmd_helper_init_opt_default();
        bw = w->image_bytes.empty()
            ? mtmd_helper_bitmap_init_from_file(s->mctx, w->image_path.c_str(), false, opt)
            : mtmd_helper_bitmap_init_from_buf(s->mctx, w->image_bytes.data(), w->image_bytes.size(), false, opt);
        if (!bw.bitmap) {
            if (bw.video_ctx) mtmd_helper_video_free(bw.video_ctx);
            w->error_code = "imageDecodeFailed";
            take_last_error();
            w->error = "the image could not be decoded: a damaged file, or a format llama.cpp cannot read (it reads PNG, JPEG, BMP, GIF, TGA, PSD, HDR and PNM)";
            return;
        }
        w->image_nx = (int) mtmd_bitmap_get_nx(bw.bitmap);
        w->image_ny = (int) mtmd_bitmap_get_ny(bw.bitmap);
    }

    mtmd_input_text text{};
    text.text = w->prompt.c_str();
    text.text_len = w->prompt.size();
    text.add_special = false;
    text.parse_special = true;
    mtmd_input_chunks* chunks = mtmd_input_chunks_init();
    const mtmd_bitmap* bitmaps[1] = { bw.bitmap };
    int32_t rc = mtmd_tokenize(s->mctx, chunks, &text, bitmaps, has_image ? 1 : 0);
    if (bw.bitmap) mtmd_bitmap_free(bw.bitmap);
    if (bw.video_ctx) mtmd_helper_video_free(bw.video_ctx);
    if (rc != 0) {
        mtmd_input_chunks_free(chunks);
        w->error_code = "tokenizeFailed";
        w->error = rc == 1 ? "the prompt's image markers do not match the images" : "the image could not be preprocessed: " + take_last_error();
        return;
    }
    size_t n_chunks = mtmd_input_chunks_size(chunks);
    for (size_t i = 0; i < n_chunks; ++i) {
        const mtmd_input_chunk* chunk = mtmd_input_chunks_get(chunks, i);
        size_t n = mtmd_input_chunk_get_n_tokens(chunk);
        if (mtmd_input_chunk_get_type(chunk) == MTMD_INPUT_CHUNK_TYPE_IMAGE) w->image_tokens += (int) n;
        w->prompt_tokens += (int) n;
    }
    if (w->prompt_tokens + 1 >= s->n_ctx) {
        mtmd_input_chunks_free(chunks);
        w->error_code = "contextOverflow";
        w->error = "the image and prompt take " + std::to_string(w->prompt_tokens) + " tokens; the context holds " + std::to_string(s->n_ctx);
        return;
    }
    llama_pos n_past = 0;
    for (size_t i = 0; i < n_chunks; ++i) {
        if (s->cancel) { w->stop_reason = "cancelled"; break; }
        llama_pos next = n_past;
        if (mtmd_helper_eval_chunk_single(s->mctx, s->ctx, mtmd_input_chunks_get(chunks, i), n_past, 0, s->n_batch, i + 1 == n_chunks, &next) != 0) {
            mtmd_input_chunks_free(chunks);
            w->error_code = "evalFailed";
            w->error = "llama.cpp failed to evaluate the prompt: " + take_last_error();
            return;
        }
        n_past = next;
    }
    mtmd_input_chunks_free(chunks);
    {
        std::lock_guard<std::mutex> lock(g_log_mutex);
        w->encoder_compute_bytes = g_encoder_compute_bytes;
    }
    if (w->stop_reason == "cancelled") return;

    llama_sampler* smpl = llama_sampler_chain_init(llama_sampler_chain_default_params());
    llama_sampler_chain_add(smpl, llama_sampler_init_greedy());
    std::string pending;
    char buf[256];
    for (;;) {
        if (s->cancel) { w->stop_reason = "cancelled"; break; }
        if (w->generated >= w->max_tokens) { w->stop_reason = "maxTokens"; break; }
        if (n_past + 1 >= s->n_ctx) { w->stop_reason = "maxTokens"; break; }
        llama_token tok = llama_sampler_sample(smpl, s->ctx, -1);
        if (llama_vocab_is_eog(vocab, tok)) break;
        ++w->generated;
        int n = llama_token_to_piece(vocab, tok, buf, sizeof buf, 0, false);
        if (n > 0) pending.append(buf, (size_t) n);
        size_t ready = complete_utf8(pending);
        if (ready > 0) {
            w->text.append(pending, 0, ready);
            napi_call_threadsafe_function(w->on_text, new std::string(pending.substr(0, ready)), napi_tsfn_blocking);
            pending.erase(0, ready);
        }
        llama_batch batch = llama_batch_get_one(&tok, 1);
        if (llama_decode(s->ctx, batch) != 0) {
            w->error_code = "evalFailed";
            w->error = "llama.cpp failed to decode a token: " + take_last_error();
            break;
        }
        ++n_past;
    }
    if (!pending.empty()) {
        w->text += pending;
        napi_call_threadsafe_function(w->on_text, new std::string(pending), napi_tsfn_blocking);
    }
    llama_sampler_free(smpl);
}

void set_int(napi_env env, napi_value obj, const char* key, int v) {
    napi_value n; napi_create_int32(env, v, &n); napi_set_named_property(env, obj, key, n);
}

void generate_complete(napi_env env, napi_status, void* data) {
    auto* w = static_cast<GenerateWork*>(data);
    Session* s = w->session;
    s->busy = false;
    s->cancel = false;
    napi_release_threadsafe_function(w->on_text, napi_tsfn_release);
    if (!w->error_code.empty()) {
        napi_reject_deferred(env, w->deferred, make_error(env, w->error_code, w->error));
    } else {
        napi_value result, text, reason;
        napi_create_object(env, &result);
        napi_create_string_utf8(env, w->text.c_str(), w->text.size(), &text);
        napi_set_named_property(env, result, "text", text);
        napi_create_string_utf8(env, w->stop_reason.c_str(), NAPI_AUTO_LENGTH, &reason);
        napi_set_named_property(env, result, "stopReason", reason);
        set_int(env, result, "imageTokens", w->image_tokens);
        set_int(env, result, "promptTokens", w->prompt_tokens);
        set_int(env, result, "generatedTokens", w->generated);
        set_int(env, result, "imageWidth", w->image_nx);
        set_int(env, result, "imageHeight", w->image_ny);
        napi_value compute;
        napi_create_double(env, w->encoder_compute_bytes, &compute);
        napi_set_named_property(env, result, "encoderComputeBytes", compute);
        napi_resolve_deferred(env, w->deferred, result);
    }
    if (s->closed) {
        s->free_all();
        napi_value undef;
        napi_get_undefined(env, &undef);
        for (napi_deferred d : s->on_closed) napi_resolve_deferred(env, d, undef);
        s->on_closed.clear();
    }
    napi_delete_reference(env, w->session_ref);
    napi_delete_async_work(env, w->work);
    delete w;
}

napi_value js_generate(napi_env env, napi_callback_info info) {
    size_t argc = 3; napi_value argv[3];
    CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
    Session* s = unwrap(env, argv[0]);
    if (!s) return nullptr;
    if (s->closed || !s->model) { napi_throw(env, make_error(env, "closed", "the vision session is closed")); return nullptr; }
    bool expected = false;
    if (!s->busy.compare_exchange_strong(expected, true)) { napi_throw(env, make_error(env, "busy", "the vision session is already generating")); return nullptr; }
    auto* w = new GenerateWork();
    w->session = s;
    s->cancel = false;
    w->prompt = get_string(env, argv[1], "prompt");
    w->image_path = get_string(env, argv[1], "imagePath");
    w->max_tokens = get_int(env, argv[1], "maxTokens", 512);
    napi_value bytes; bool is_buffer = false;
    if (napi_get_named_property(env, argv[1], "imageBytes", &bytes) == napi_ok && napi_is_buffer(env, bytes, &is_buffer) == napi_ok && is_buffer) {
        void* p; size_t len;
        napi_get_buffer_info(env, bytes, &p, &len);
        w->image_bytes.assign(static_cast<unsigned char*>(p), static_cast<unsigned char*>(p) + len);
    }
    napi_value promise, name;
    CHECK(napi_create_promise(env, &w->deferred, &promise));
    napi_create_string_utf8(env, "bora.vision.generate", NAPI_AUTO_LENGTH, &name);
    CHECK(napi_create_reference(env, argv[0], 1, &w->session_ref));
    CHECK(napi_create_threadsafe_function(env, argv[2], nullptr, name, 0, 1, nullptr, nullptr, nullptr, call_on_text, &w->on_text));
    CHECK(napi_create_async_work(env, nullptr, name, generate_execute, generate_complete, w, &w->work));
    CHECK(napi_queue_async_work(env, w->work));
    return promise;
}

napi_value js_cancel(napi_env env, napi_callback_info info) {
    size_t argc = 1; napi_value argv[1];
    CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
    Session* s = unwrap(env, argv[0]);
    if (s) s->cancel = true;
    return nullptr;
}

// Frees now when idle; a running generate() is cancelled and frees it when it completes. The promise
// resolves once nothing of the session is left on the shared model.
napi_value js_close(napi_env env, napi_callback_info info) {
    size_t argc = 1; napi_value argv[1];
    CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
    Session* s = unwrap(env, argv[0]);
    if (!s) return nullptr;
    napi_value promise, undef;
    napi_deferred deferred;
    CHECK(napi_create_promise(env, &deferred, &promise));
    s->closed = true;
    if (s->busy) {
        s->cancel = true;
        s->on_closed.push_back(deferred);
    } else {
        s->free_all();
        napi_get_undefined(env, &undef);
        napi_resolve_deferred(env, deferred, undef);
    }
    return promise;
}

napi_value js_backend_device_count(napi_env env, napi_callback_info) {
    napi_value out;
    napi_create_int32(env, (int32_t) ggml_backend_dev_count(), &out);
    return out;
}

#if defined(_WIN32)
// Linked through an import library, `&llama_model_size` is this module's thunk; the import address
// table entry the linker names __imp_llama_model_size holds the real function's address.
extern "C" void* __imp_llama_model_size;
#endif

/** The file of the libllama this addon resolved its llama.cpp calls to. */
std::string llama_library_path() {
#if defined(_WIN32)
    HMODULE module = nullptr;
    if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
            static_cast<LPCSTR>(__imp_llama_model_size), &module)) return "";
    char path[MAX_PATH * 4];
    DWORD n = GetModuleFileNameA(module, path, sizeof path);
    return std::string(path, n);
#else
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&llama_model_size), &info) == 0 || info.dli_fname == nullptr) return "";
    return info.dli_fname;
#endif
}

napi_value js_library_info(napi_env env, napi_callback_info) {
    napi_value out, path, devices;
    napi_create_object(env, &out);
    std::string lib = llama_library_path();
    napi_create_string_utf8(env, lib.c_str(), lib.size(), &path);
    napi_set_named_property(env, out, "llamaLibrary", path);
    size_t count = ggml_backend_dev_count();
    napi_create_array_with_length(env, count, &devices);
    for (size_t i = 0; i < count; ++i) {
        ggml_backend_dev_t dev = ggml_backend_dev_get(i);
        napi_value entry, name, type;
        napi_create_object(env, &entry);
        napi_create_string_utf8(env, ggml_backend_dev_name(dev), NAPI_AUTO_LENGTH, &name);
        enum ggml_backend_dev_type t = ggml_backend_dev_type(dev);
        const char* type_name = t == GGML_BACKEND_DEVICE_TYPE_CPU ? "cpu" : t == GGML_BACKEND_DEVICE_TYPE_GPU ? "gpu" : t == GGML_BACKEND_DEVICE_TYPE_IGPU ? "igpu" : "accel";
        napi_create_string_utf8(env, type_name, NAPI_AUTO_LENGTH, &type);
        napi_set_named_property(env, entry, "name", name);
        napi_set_named_property(env, entry, "type", type);
        napi_set_element(env, devices, (uint32_t) i, entry);
    }
    napi_set_named_property(env, out, "devices", devices);
    return out;
}

napi_value js_load_backends(napi_env env, napi_callback_info info) {
    size_t argc = 1; napi_value argv[1];
    CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
    size_t len = 0;
    napi_get_value_string_utf8(env, argv[0], nullptr, 0, &len);
    std::string dir(len, '\0');
    napi_get_value_string_utf8(env, argv[0], dir.data(), len + 1, &len);
    if (ggml_backend_dev_count() == 0) ggml_backend_load_all_from_path(dir.c_str());
    return js_backend_device_count(env, info);
}

napi_value init(napi_env env, napi_value exports) {
    mtmd_helper_log_set(on_log, nullptr); // mtmd and clip only: llama.cpp's own log stays with node-llama-cpp
    napi_property_descriptor props[] = {
        { "open", nullptr, js_open, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "generate", nullptr, js_generate, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "cancel", nullptr, js_cancel, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "close", nullptr, js_close, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "backendDeviceCount", nullptr, js_backend_device_count, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "loadBackends", nullptr, js_load_backends, nullptr, nullptr, nullptr, napi_default, nullptr },
        { "libraryInfo", nullptr, js_library_info, nullptr, nullptr, nullptr, napi_default, nullptr },
    };
    napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
    return exports;
}

} // namespace

NAPI_MODULE(bora_vision, init)
