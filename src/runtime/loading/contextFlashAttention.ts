/**
 * Flash attention for every context Bora creates: llama.cpp's own `auto`, which turns it on where
 * the backend supports the model's attention, as llama-server and llama-bench do. node-llama-cpp
 * 3.21.1 would otherwise resolve it to off whenever a model's key and value head sizes differ
 * (`GgufInsights.flashAttentionSupported`, a rule llama.cpp has since dropped), which on the
 * Mistral 4 bench model (multi-head latent attention) made each generated token at a completion's
 * depth (3,800 tokens) cost 8.1 ms instead of 5.6 ms. llama.cpp still turns it off where it cannot
 * work (Grok, or an operation the device lacks), so `auto` never fails where off would succeed.
 */
export const contextFlashAttention = 'auto' as const;
