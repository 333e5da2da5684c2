/**
 * A skill: a folder with SKILL.md (front matter `name`, `description`, …) and bundle files.
 * Loaded from untrusted input: front matter is parsed as YAML only, never executed.
 */
export interface Skill {
  /** Front-matter name, else the folder name. */
  name: string;
  /** Front-matter description, else a generic one. */
  description: string;
  /** Absolute path of the skill folder. */
  dir: string;
  /** Absolute path of SKILL.md. */
  skillMdPath: string;
  /** The whole SKILL.md text, front matter included (what the agent is given). */
  content: string;
  /** Parsed front matter (YAML), plain data only. */
  frontMatter: Record<string, unknown>;
  /** Bundle files relative to `dir`: everything except SKILL.md, .git and .DS_Store. */
  files: string[];
  /** sha256 hex of `content`, first 16 characters (the reference's skillContentHash). */
  contentHash: string;
  /**
   * What the loader skipped or worked around (a symlink leading outside the folder, front
   * matter that is not valid YAML, …); absent when there was nothing to say.
   */
  notes?: string[];
}

export type SkillMode = 'inject' | 'discover';

/** What a harness receives: one or more skills in a mode (all-or-nothing). */
export interface SkillBundle {
  skills: Skill[];
  mode: SkillMode;
}
