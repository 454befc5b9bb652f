/**
 * Mistral Small 4 layout: `<s>[SYSTEM_PROMPT]…[/SYSTEM_PROMPT][MODEL_SETTINGS]{"reasoning_effort": "none"}[/MODEL_SETTINGS][INST]…[/INST]answer</s>`.
 * Settings come once before the first [INST]; only "none" and "high" exist (unset means "none");
 * there is no generation prompt; earlier reasoning re-renders as [THINK]…[/THINK].
 */
export const mistral4ChatTemplate = [
    "{%- set effort = reasoning_effort if (reasoning_effort is defined and reasoning_effort) else 'none' -%}",
    "{%- if effort != 'none' and effort != 'high' -%}{{- raise_exception('reasoning_effort must be none or high') -}}{%- endif -%}",
    '{{- bos_token -}}',
    "{%- if messages and messages[0]['role'] == 'system' -%}",
    "{{- '[SYSTEM_PROMPT]' + messages[0]['content'] + '[/SYSTEM_PROMPT]' -}}",
    '{%- set loop_messages = messages[1:] -%}',
    '{%- else -%}{%- set loop_messages = messages -%}{%- endif -%}',
    '{{- \'[MODEL_SETTINGS]{"reasoning_effort": "\' + effort + \'"}[/MODEL_SETTINGS]\' -}}',
    '{%- for message in loop_messages -%}',
    "{%- if message['role'] == 'user' -%}{{- '[INST]' + message['content'] + '[/INST]' -}}",
    "{%- elif message['role'] == 'assistant' -%}",
    "{%- if message['reasoning_content'] is defined and message['reasoning_content'] -%}{{- '[THINK]' + message['reasoning_content'] + '[/THINK]' -}}{%- endif -%}",
    "{{- message['content'] + eos_token -}}",
    '{%- endif -%}',
    '{%- endfor -%}'
].join('');

/** ChatML as Qwen2.5 uses it, without the tool-calling branches. */
export const chatMlTemplate = [
    '{%- for message in messages -%}',
    "{%- if loop.first and message['role'] != 'system' -%}{{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' -}}{%- endif -%}",
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}",
    '{%- endfor -%}',
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
].join('');

/** A Llama-2-style template over a vocabulary whose `[INST]` is plain text, not a special token. */
export const llama2ChatTemplate = [
    '{{- bos_token -}}',
    '{%- for message in messages -%}',
    "{%- if message['role'] == 'system' -%}{{- '<<SYS>>\\n' + message['content'] + '\\n<</SYS>>\\n\\n' -}}",
    "{%- elif message['role'] == 'user' -%}{{- '[INST] ' + message['content'] + ' [/INST]' -}}",
    "{%- elif message['role'] == 'assistant' -%}{{- ' ' + message['content'] + eos_token -}}",
    '{%- endif -%}',
    '{%- endfor -%}'
].join('');
