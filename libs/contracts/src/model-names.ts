/**
 * An Ollama model name with its tag, as Ollama itself reads it: a tagless `llama3.2` is
 * `llama3.2:latest`, the name `/api/tags` reports and miners advertise. The tag is a `:` in the
 * last path segment, so a registry host's port (`host:5000/team/model`) is not mistaken for one.
 * Surrounding whitespace is dropped; an empty name stays empty.
 */
export function withModelTag(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') {
    return trimmed;
  }
  const lastSegment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? trimmed : `${trimmed}:latest`;
}
