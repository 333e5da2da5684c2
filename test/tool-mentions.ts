/**
 * Tool names a text tells an agent to call. By house style a tool is named in backticks, and
 * every tool name is snake_case with an underscore — except the one-word tools, which are
 * recognised when the registry knows them. Other backticked words (arguments, values, paths,
 * statuses) have no underscore and are not tool names.
 */
export function mentionedToolNames(text: string, oneWordTools: readonly string[]): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/`([a-z][a-z0-9]*(?:_[a-z0-9]+)*)`/g)) {
    const word = m[1]!;
    if (word.includes('_') || oneWordTools.includes(word)) names.add(word);
  }
  return [...names].sort();
}
