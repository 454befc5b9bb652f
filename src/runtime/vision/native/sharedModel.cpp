// Reads the llama_model* out of node-llama-cpp's AddonModel, so the vision addon works on the model
// chat already loaded instead of loading the GGUF a second time.
//
// AddonModel is a Napi::ObjectWrap: napi_wrap stored the AddonModel* on the JS object, and
// napi_unwrap (the same isolate-wide private key from any addon) hands it back. The class layout
// comes from node-llama-cpp's own header (node_modules/node-llama-cpp/llama/addon/AddonModel.h),
// compiled here with the node-addon-api and NAPI_VERSION node-llama-cpp builds with, so the fields
// sit where its prebuilt addon put them. Nothing is trusted before it is checked, cheapest and
// safest reads first: the plain flags and the size (readable whatever the layout), then the path
// string, then the model pointer itself against llama.cpp's own answers.
#include "sharedModel.h"

#include "AddonModel.h"
#include "llama.h"

#include <cstring>

llama_model* borrow_node_llama_cpp_model(napi_env env, napi_value addon_model, const SharedModelExpectation& expected, std::string& error) {
    void* wrapped = nullptr;
    if (napi_unwrap(env, addon_model, &wrapped) != napi_ok || wrapped == nullptr) {
        error = "the object is not a node-llama-cpp model (nothing is wrapped in it)";
        return nullptr;
    }
    const auto* model = static_cast<const AddonModel*>(wrapped);
    if (model->disposed || model->memoryDisposed) {
        error = "node-llama-cpp has disposed the model";
        return nullptr;
    }
    if (!model->modelLoaded) {
        error = "node-llama-cpp's model is not loaded (or its layout is not the one this addon was built for)";
        return nullptr;
    }
    if (model->loadedModelSize != expected.size) {
        error = "node-llama-cpp's model does not have the expected size: its AddonModel layout differs from the one this addon was built for";
        return nullptr;
    }
    if (model->modelPath.size() != expected.path.size() || std::memcmp(model->modelPath.data(), expected.path.data(), expected.path.size()) != 0) {
        error = "node-llama-cpp's model was loaded from another file than " + expected.path;
        return nullptr;
    }
    if (model->model == nullptr || llama_model_get_vocab(model->model) != model->vocab || llama_model_size(model->model) != expected.size) {
        error = "node-llama-cpp's llama_model does not answer as expected";
        return nullptr;
    }
    return model->model;
}
