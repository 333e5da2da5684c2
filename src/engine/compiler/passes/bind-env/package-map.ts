/**
 * Import name → PyPI distribution name, for imports whose package is named differently (using
 * the import name as the package installs nothing, or something else: `pip install yaml` fails,
 * `pip install serial`/`jwt`/`docx` fetch unrelated projects). Entries where both names agree
 * are listed too when they are common in skills, so the table reads as the set we know.
 * Keys are import paths; a dotted key covers a namespace package (`google.protobuf`).
 */
export const PYTHON_PACKAGE_FOR_MODULE: Readonly<Record<string, string>> = Object.freeze({
  // Data, science, imaging
  yaml: 'PyYAML',
  'ruamel.yaml': 'ruamel.yaml',
  PIL: 'Pillow',
  cv2: 'opencv-python',
  sklearn: 'scikit-learn',
  skimage: 'scikit-image',
  Bio: 'biopython',
  osgeo: 'GDAL',
  cairo: 'pycairo',
  cairosvg: 'CairoSVG',
  // Documents
  bs4: 'beautifulsoup4',
  docx: 'python-docx',
  pptx: 'python-pptx',
  fitz: 'PyMuPDF',
  pymupdf: 'PyMuPDF',
  pdfminer: 'pdfminer.six',
  pdfplumber: 'pdfplumber',
  pypdf: 'pypdf',
  PyPDF2: 'PyPDF2',
  lxml: 'lxml',
  openpyxl: 'openpyxl',
  xlsxwriter: 'XlsxWriter',
  fpdf: 'fpdf2',
  camelot: 'camelot-py',
  tabula: 'tabula-py',
  ebooklib: 'EbookLib',
  markdown: 'Markdown',
  jinja2: 'Jinja2',
  markupsafe: 'MarkupSafe',
  exifread: 'ExifRead',
  // Dates, config, text
  dateutil: 'python-dateutil',
  dotenv: 'python-dotenv',
  slugify: 'python-slugify',
  unidecode: 'Unidecode',
  pygments: 'Pygments',
  charset_normalizer: 'charset-normalizer',
  attr: 'attrs',
  multipart: 'python-multipart',
  // Security, crypto
  Crypto: 'pycryptodome',
  Cryptodome: 'pycryptodomex',
  jwt: 'PyJWT',
  jose: 'python-jose',
  OpenSSL: 'pyOpenSSL',
  nacl: 'PyNaCl',
  // Devices, system
  magic: 'python-magic',
  serial: 'pyserial',
  usb: 'pyusb',
  zmq: 'pyzmq',
  socks: 'PySocks',
  win32api: 'pywin32',
  win32com: 'pywin32',
  pythoncom: 'pywin32',
  gi: 'PyGObject',
  wx: 'wxPython',
  pyautogui: 'PyAutoGUI',
  // Network, services, media
  websocket: 'websocket-client',
  git: 'GitPython',
  github: 'PyGithub',
  grpc: 'grpcio',
  kafka: 'kafka-python',
  psycopg2: 'psycopg2-binary',
  MySQLdb: 'mysqlclient',
  pymysql: 'PyMySQL',
  telegram: 'python-telegram-bot',
  discord: 'discord.py',
  yt_dlp: 'yt-dlp',
  speech_recognition: 'SpeechRecognition',
  whisper: 'openai-whisper',
  ffmpeg: 'ffmpeg-python',
  gtts: 'gTTS',
  deep_translator: 'deep-translator',
  newspaper: 'newspaper3k',
  googleapiclient: 'google-api-python-client',
  google_auth_oauthlib: 'google-auth-oauthlib',
  'google.protobuf': 'protobuf',
  'google.auth': 'google-auth',
  'google.genai': 'google-genai',
  'google.generativeai': 'google-generativeai',
  'azure.identity': 'azure-identity',
  'azure.storage.blob': 'azure-storage-blob',
});

/** Top-level names that are namespace packages: the bare name is no installable package. */
const NAMESPACE_ROOTS: ReadonlySet<string> = new Set(['google', 'azure', 'ruamel']);

export interface ResolvedImport {
  /** The import path the package is known by (`yaml`, `google.protobuf`). */
  module: string;
  /** PyPI distribution to install. */
  package: string;
  /** Whether the table named the package (false: the module name is used as is). */
  known: boolean;
}

/**
 * The package that provides an import (`yaml.loader` → PyYAML, `google.protobuf.json_format` →
 * protobuf): the longest dotted prefix in the table, else the top-level name itself. Undefined
 * for a bare namespace root (`import google`), which names no package.
 */
export function resolveImport(dotted: string): ResolvedImport | undefined {
  const parts = dotted.split('.');
  for (let n = Math.min(parts.length, 3); n >= 1; n--) {
    const key = parts.slice(0, n).join('.');
    const pkg = PYTHON_PACKAGE_FOR_MODULE[key];
    if (pkg) return { module: key, package: pkg, known: true };
  }
  const top = parts[0]!;
  // Google Cloud's client libraries follow one naming rule: google.cloud.<x> → google-cloud-<x>.
  if (top === 'google' && parts[1] === 'cloud' && parts[2]) {
    return { module: parts.slice(0, 3).join('.'), package: `google-cloud-${parts[2].replace(/_/g, '-')}`, known: true };
  }
  if (NAMESPACE_ROOTS.has(top)) return undefined;
  return { module: top, package: top, known: false };
}
