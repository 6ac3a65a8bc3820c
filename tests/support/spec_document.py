"""The text PDF the ingestion tests read: 17 pages of notes on the Shared MIME-info Database.

Written for this repository, in its own words (the freedesktop.org specification is the
authority on the format), so the tests need no file from elsewhere. What the tests rely
on: 17 pages; each starts with the running header ``Shared MIME-info Database``; page 1
yields exactly 1,401 characters; more than 30,000 in all; and page 14, and only page 14,
explains the ``user.mime_type`` extended attribute.

``tests/data/shared-mime-info-notes.pdf`` is this module's output; after changing the
text, write it again with ``.venv/bin/python -m tests.support.spec_document``.
"""

import textwrap

from tests.support.documents import SPEC_PDF, pdf_bytes, text_pdf

HEADER = "Shared MIME-info Database"
LINE_WIDTH = 88

SECTIONS = [
    (
        "Notes for the GenAI Stack's ingestion tests",
        "These notes describe, in their own words, how desktop programs agree on the type of "
        "a file. They were written for the tests of this repository and are not the "
        "freedesktop.org specification, which remains the authority on every detail of the "
        "format.",
        "1. Introduction",
        "Many programs need to know what kind of data a file holds before they open it. A file "
        "manager picks an icon, an e-mail client labels an attachment, and an archive tool "
        "decides whether it can unpack what it was given. The common answer is a MIME type, "
        "such as text/plain or image/png, worked out from the name of the file, from its "
        "first bytes, or from both.",
        "When every program keeps its own table of names and types, two programs soon "
        "disagree about the same file, and a new type has to be taught to each of them. A "
        "shared database solves both problems: applications install what they know about "
        "their types once, in one place, and every program reads the same answers.",
        "The database only holds facts about types. It does not record which application a "
        "person prefers for a type; that choice belongs to a separate mechanism.",
        "Section 2 defines the words used throughout, sections 3 to 12 describe the files "
        "that make up the database, and sections 13 to 17 explain how programs should use "
        "it. Each section starts on a page of its own; the notes end with a few cautions.",
    ),
    (
        "2. Words used in these notes",
        "A MIME type, also called a media type, names a kind of data in two parts separated "
        "by a slash: a broad media class such as text, image, audio, video or application, "
        "and a subtype such as html or pdf. Types are compared without regard to case, but "
        "they are always written in lower case in the database.",
        "A glob is a file name pattern in the style of a shell, for example *.txt or "
        "Makefile. A star stands for any run of characters, a question mark for one "
        "character, and square brackets for a set of characters.",
        "Magic is a rule about the contents of a file: a value that must appear at a given "
        "offset, perhaps under a mask. A type may carry several magic rules, and rules may "
        "be nested so that an inner rule is only tried when the outer one has matched.",
        "An alias is a second name for a type, kept so that old names still work after a "
        "type was renamed. A subclass is a type whose files are also valid files of a more "
        "general type; every kind of XML document, for example, is also text.",
        "The words must, should and may are used in their usual sense in standards: must "
        "marks a requirement, should a strong recommendation, and may something optional.",
        "Offsets and lengths count bytes from the start of a file, beginning at zero.",
        "A package is a source file installed by one application, and the database is the "
        "merged result of all packages in all folders of the search path. A reader is any "
        "program that looks up types, and the update tool is the one program that writes "
        "the generated files from the packages.",
        "The type of a file is the single most specific type that describes it. Programs "
        "may also work with the list of all types a file belongs to, found by following the "
        "subclass relations from its type upwards until no parent is left.",
        "Examples in these notes use made-up types whose subtypes start with x-example, so "
        "that they cannot be mistaken for registered types.",
    ),
    (
        "3. Where the database lives",
        "The database is a set of directories, one for each place where data files are "
        "installed. The places are found through the XDG base directory variables: first "
        "the directory named by XDG_DATA_HOME, which defaults to .local/share in the home "
        "folder, then each directory in the colon-separated list XDG_DATA_DIRS, which "
        "defaults to /usr/local/share and /usr/share.",
        "Inside each of these places the database occupies a folder called mime. Programs "
        "read every mime folder in order, and information found in a folder earlier in the "
        "list is preferred to information found later, so that a user can override what the "
        "system installed without needing any special rights on the machine.",
        "Each mime folder has a subfolder called packages, where applications drop their "
        "source files, and a set of generated files beside it that programs actually read. "
        "The generated files are rebuilt by an update tool whenever a package is added or "
        "removed, so that readers never have to parse the source files at run time.",
        "A program must not write to the generated files itself. It installs or removes a "
        "source file and then runs the update tool for the folder that changed.",
        "A typical system therefore has two or three mime folders: one in the home folder, "
        "written by applications the user installed alone, and one or two below the system "
        "prefixes, written by the package manager of the operating system.",
        "Programs should notice when the generated files change while they run, for example "
        "by comparing modification times before each lookup or by watching the folders, and "
        "reload them, so that a newly installed application is recognised without a "
        "restart.",
        "A folder in the search path that has no mime subfolder is simply skipped.",
        "Administrators who want a type known to every user install its package below a "
        "system prefix; a user who wants it only for themselves installs it in the home "
        "folder.",
    ),
    (
        "4. The source files",
        "Each application that introduces new types, or knows more about existing ones, "
        "installs one source file in a packages folder. The file is XML, and its root "
        "element lists one entry per type. An entry names the type and may hold a human "
        "readable comment, translated into as many languages as the author likes.",
        "Inside an entry, glob elements give file name patterns, and magic elements give "
        "rules about the contents. Further elements declare an alias for the type, a more "
        "general type it belongs to, an acronym with its expansion, and the name of an icon "
        "to show for files of the type when a theme has no specific one.",
        "Several packages may describe the same type. Their information is merged: the "
        "patterns and rules of all of them are kept, and the comment from the package read "
        "first wins. A package that wants to replace what others said, instead of adding to "
        "it, can say so with an element that deletes the earlier patterns or rules.",
        "Source files should be small and limited to the types an application really "
        "handles. A package that repeats the whole database would make every update slower "
        "and would hide later corrections made by the packages that own the types.",
        "Comments are meant for people. They should be short, start with a capital letter, "
        "and describe the kind of document rather than the program that makes it, such as "
        "Spreadsheet rather than the name of one office suite.",
        "Packages must be valid XML in the UTF-8 encoding. The update tool refuses a "
        "package it cannot parse and leaves the generated files as they were, so one broken "
        "package never removes the types that other packages declared.",
        "Elements and attributes that a given version of the update tool does not know are "
        "ignored, which leaves room for later extensions of the format.",
        "The update tool validates packages against a schema and reports the line of any error.",
    ),
    (
        "5. Rules about contents",
        "A content rule checks the bytes of a file. It has a priority from 0 to 100, where "
        "higher numbers are tried first and win over lower ones, and it contains one or "
        "more matches. A match gives an offset or a range of offsets, a value type, the "
        "value to find and, optionally, a mask applied to the data before comparing.",
        "Value types cover plain strings, single bytes, and 16 or 32 bit numbers in either "
        "byte order or in the order of the host. Numbers may be written in decimal, in "
        "octal or in hexadecimal, and strings may contain escapes for bytes that cannot be "
        "typed.",
        "Matches nest. A match inside another is only considered when its parent matched, "
        "and a rule succeeds when any complete path from the top of the tree to a leaf "
        "matches. This lets a rule first recognise a container format and then look deeper "
        "for the marker of one particular kind of document stored in that container.",
        "Readers should not look further into a file than the largest offset any rule "
        "needs. The update tool records that extent, so a program can read one buffer of "
        "that size and test every rule against it without seeking around the file.",
        "A range lets one match try the value at each offset within a window, which helps "
        "with formats whose signature may follow a header of varying length. Ranges should "
        "be kept short, since each extra offset is another comparison for every file "
        "tested.",
        "A mask has the same length as the value. Each byte of the data is combined with "
        "the matching byte of the mask before the comparison, so that bits which vary "
        "between files, such as version flags, can be left out of the test.",
        "Priorities above 80 are for rules that identify a format with certainty. Rules of "
        "low priority are guesses and should only decide between candidates.",
        "Strings are compared byte by byte, with no notion of characters or case, so a rule "
        "for a text marker must spell it exactly as the files contain it.",
    ),
    (
        "6. Rules about folder trees",
        "Some kinds of data are not a single file but a folder with a known layout: a disc "
        "image copied to a hard drive, or a camera's memory card. For these, a tree rule "
        "describes paths that must exist below the folder, whether each path is a file or a "
        "folder, and whether it must be executable or non-empty.",
        "Tree rules nest like content rules, so a rule can require one path and then, only "
        "when it is present, look for another. Paths are compared without regard to case "
        "when the rule asks for it, because removable media often use file systems that do "
        "not keep case.",
        "A tree rule carries a priority in the same way as a content rule. A program "
        "mounting a new volume can test the tree rules against its root and offer to open "
        "the volume with an application that understands that layout.",
        "Tree rules are only worth checking for folders that are the root of a volume. "
        "Testing every folder a person opens would cost many file system lookups for no "
        "benefit, so programs normally limit the check to volumes being mounted.",
        "A typical example is a folder that holds a video disc: it contains a folder called "
        "VIDEO_TS with a file called VIDEO_TS.IFO inside it. A tree rule that requires both "
        "paths identifies such a folder without reading any of the large video files.",
        "The types found by tree rules are usually of the form x-content/ followed by a "
        "description of the content, to keep them apart from the types of single files.",
        "Programs that find a match should offer the applications that handle the type, and "
        "should let the person choose, since a volume may fit several layouts at once. A "
        "memory card may hold photographs and music side by side, for example, and both a "
        "photo manager and a music player could sensibly offer to open it.",
    ),
    (
        "7. A worked example",
        "Suppose an application introduces a notebook format. Its package names the type "
        "application/x-example-notebook and gives an English comment, Example notebook, "
        "together with a German and a French translation of it.",
        "It declares one glob, *.exnb, with the default weight, and one content rule of "
        "priority 60: the string EXNB must appear at offset zero. Because a notebook is "
        "stored as a zip archive, the entry also says that the type is a subclass of "
        "application/zip, so archive tools still offer to open it.",
        "Finally, the entry names a generic icon, the one used for office documents, so "
        "that an icon theme without a notebook icon still shows something sensible.",
        "After the package is installed, the update tool adds the glob to the glob list, "
        "the rule to the magic file, the parent to the subclass list, and all of them to "
        "the binary cache. A file manager that opens a folder of notebooks then shows the "
        "comment and the icon without ever reading the package itself.",
        "If a later version of the application renames the type, it keeps the old name as "
        "an alias, and files typed under the old name keep working.",
        "A reader that meets a file called plan.exnb would find the glob first and answer "
        "application/x-example-notebook at once. For a notebook that lost its suffix, say "
        "one saved as plan, no glob matches, so the reader reads the first bytes, finds "
        "EXNB at offset zero, and still reaches the same answer.",
        "A plain zip archive that happens to be called something.exnb would be matched by "
        "the glob too. Programs that care can confirm the glob with the content rule and "
        "treat a disagreement as a reason to fall back to the more general parent type.",
        "The example shows why every piece of information helps: the glob makes the common "
        "case fast, the content rule handles renamed files, the parent type keeps general "
        "tools useful, and the comment and icon let people see at a glance what a file is.",
    ),
    (
        "8. Matching file names",
        "Each glob carries a weight from 0 to 100, 50 unless the package says otherwise. "
        "When several patterns match one name, the one with the highest weight wins; when "
        "weights are equal, the longest pattern wins, because a longer pattern is more "
        "specific. A pattern for archive.tar.gz is therefore preferred to one for *.gz.",
        "Patterns are matched without regard to case, unless the package marks a pattern as "
        "case sensitive. Programs should first try the name exactly as it is and then in "
        "lower case, so that both README and readme find their patterns quickly.",
        "If two different types still match the same name with the same weight and length, "
        "the name alone cannot decide. Programs then look at the contents and keep only the "
        "candidates that the content rules agree with.",
        "Simple patterns of the form star, dot, suffix are by far the most common. The "
        "update tool keeps them in a separate table so that a reader can find the type of a "
        "name by looking up its suffixes, instead of testing every pattern in turn.",
        "Weights above 50 are for patterns that are known to be reliable, such as a suffix "
        "that no other common format uses. Weights below 50 suit patterns that are only "
        "weak hints, such as a suffix shared by several unrelated formats.",
        "Matching applies to the last component of a path only. Folder names play no part, "
        "and a pattern containing a slash never matches anything.",
        "Names given in other encodings than UTF-8 should be converted before matching, or, "
        "if they cannot be converted, matched only against the content rules.",
        "A name that ends in a dot, or consists of a suffix only, is matched like any other.",
        "Some formats are usually recognised by a whole name rather than a suffix, such as "
        "Makefile, README or core. Such literal names are kept apart from the patterns and "
        "looked up first, since an exact name is the most specific clue there is.",
    ),
    (
        "9. The generated text files",
        "Next to the packages folder the update tool writes several plain text files that "
        "are easy for simple programs to read. The glob list has one line per pattern, with "
        "the weight, the type and the pattern separated by colons, and optional flags such "
        "as case sensitivity at the end of the line.",
        "A separate list holds aliases, one pair of names per line, and another the "
        "subclass relations, one type and one parent per line. Further lists give the "
        "generic icon and the specific icon of types that have them.",
        "Lines starting with a hash sign are comments and must be skipped, and readers must "
        "ignore fields they do not understand at the end of a line, so that later versions "
        "of the update tool can add fields without breaking existing programs.",
        "These files are complete: each one holds the merged result of every package in its "
        "folder. A reader therefore needs only the files of each folder in the search path, "
        "combined in search path order.",
        "The weight comes first on each line of the glob list so that the list can be "
        "sorted by weight as plain text. Within the same weight, the update tool keeps the "
        "order in which the packages were read, which makes its output the same on every "
        "run.",
        "The generated files are written to a temporary name and then renamed into place, "
        "so that a program reading them while the update tool runs sees either the old "
        "version or the new one, and never a file that is only half written.",
        "Older programs may still read a simpler glob list without weights, which the "
        "update tool keeps writing next to the newer one for their sake.",
        "Readers should not assume any maximum line length in these files.",
        "Every generated file starts with a comment saying that it was made by the update "
        "tool and must not be edited by hand, since the next run of the tool would silently "
        "throw such edits away.",
    ),
    (
        "10. The magic file",
        "The content rules of all packages are written to one binary file. It starts with a "
        "fixed signature line, and then lists the rules in order of priority, highest "
        "first, each introduced by a line holding its priority and its type in brackets.",
        "Each match follows on its own line. The line starts with the nesting depth, then "
        "the offset after a greater-than sign, then the value with its length given as two "
        "bytes. A mask, a word size for numbers and a range length may follow, each marked "
        "by its own punctuation, and the line ends with a newline byte.",
        "Because values are stored as raw bytes with explicit lengths, they may contain any "
        "byte, including newlines, and a reader must use the lengths instead of scanning "
        "for line ends. A reader that meets a line it cannot parse should skip to the next "
        "rule rather than give up, so that one bad package does not hide all the others.",
        "The file is read once when a program starts and is then kept in memory.",
        "The depth at the start of a match line tells the reader where the match sits in "
        "the tree. A line with depth zero starts a new top-level match of the current rule; "
        "a line with depth one belongs to the last match of depth zero above it, and so on.",
        "Offsets and lengths in a match line are written as decimal numbers, while the "
        "value and the mask are written as raw bytes. This mix keeps the file compact and "
        "still allows simple tools to print it in a readable way.",
        "A reader builds the same trees from these lines as the update tool built from the "
        "packages, and can then test a buffer against every rule in priority order.",
        "Rules of equal priority keep the order in which their packages were read, so the "
        "result of a lookup does not depend on the order of lines in memory.",
    ),
    (
        "11. The binary cache",
        "Programs that start often cannot afford to parse text files every time. For them "
        "the update tool writes a single binary cache that can be mapped into memory and "
        "read in place, without copying or parsing.",
        "All numbers in the cache are unsigned 32 bit integers in big-endian order, and all "
        "strings end with a zero byte. The header gives the major and minor version of the "
        "layout and then the offsets of each table: aliases, parents, literal names, "
        "reversed suffixes, globs, magic rules, namespaces, icons and generic icons.",
        "Each table begins with the number of its entries, and entries of fixed size follow, "
        "sorted so that a reader can search them by bisection. Strings are not stored inside "
        "the entries but pointed to by offset, so one copy of a type name serves every table.",
        "A reader must check the major version before using the cache and fall back to the "
        "text files when it does not know it.",
        "The cache describes every folder of the search path separately: each mime folder "
        "has its own cache, made from its own packages, and a reader combines the caches in "
        "search path order in the same way as it would combine the text files.",
        "Because the cache is mapped rather than read, several programs running at once "
        "share one copy of it in memory, and a program that starts pays almost nothing for "
        "it.",
        "A cache that is older than any file in its packages folder is stale. Readers "
        "should then prefer the text files, or ask for the update tool to be run.",
        "Padding between tables keeps every table aligned on four bytes, as the integers in "
        "it require on some processors.",
        "Readers that do not use the cache lose nothing but speed: the text files and the "
        "cache always describe the same database, and either may be used on its own.",
    ),
    (
        "12. Tables of the cache",
        "The alias table pairs each alias with its real type, sorted by alias. The parent "
        "table lists, for each type, the offsets of its parents. The literal table holds "
        "patterns without any wildcard, such as Makefile, for exact lookups.",
        "The suffix table is a tree of characters read from the end of a name backwards, "
        "which lets a reader find every suffix pattern that matches a name in one walk. Each "
        "leaf records the type, the weight and whether the pattern is case sensitive.",
        "The remaining glob table keeps the patterns that fit none of the faster forms, and "
        "the magic table mirrors the magic file: a list of rules with their priorities and "
        "types, each pointing to its tree of matches, plus the largest extent to read.",
        "The icon tables map types to icon names, and the namespace table maps XML "
        "namespaces to types.",
        "Every table is sorted with a plain byte-wise comparison of the strings it is keyed "
        "on, so that readers on every platform can use the same bisection code without any "
        "knowledge of locales or character classes.",
        "Nodes of the suffix tree are stored as arrays of children, each holding the "
        "character as a 32 bit number, the number of children and the offset of the first "
        "child. Leaves use the character zero, which no real name contains.",
        "Readers must check that every offset they follow lies inside the mapped file. A "
        "truncated or corrupt cache must lead to a fallback, never to a crash.",
        "The namespace table lets a reader type an XML document from the namespace and the "
        "name of its root element, which is more reliable than guessing from the first "
        "bytes. Both strings are stored, and entries are sorted by namespace first.",
        "Taken together, the tables answer every question a reader asks of the database "
        "with a few lookups in memory: the type of a name, the types a buffer may hold, the "
        "real name behind an alias, the ancestors of a type and the icon to draw for it.",
    ),
    (
        "13. Subclasses and fallbacks",
        "Knowing that one type is a subclass of another lets a program handle files it has "
        "never heard of. An editor that can open plain text can open any type whose "
        "ancestors include text/plain, even if no package told it about that type.",
        "Some relations hold without being written down. Every type whose media class is "
        "text is a subclass of text/plain. Every type is a subclass of "
        "application/octet-stream, except the special types for things that are not "
        "regular files. The image class has no such implicit parent, because images of "
        "different formats have nothing in common at the byte level.",
        "When neither the name nor the contents identify a file, a program should guess "
        "between two fallbacks. If the first bytes look like text, with no zero bytes and "
        "valid characters of the expected encoding, the file is text/plain; otherwise it is "
        "application/octet-stream, and the program should not try to display it as text.",
        "Subclass relations form a graph rather than a tree, since a type may have several "
        "parents. A program walking the ancestors of a type must remember the types it has "
        "already seen, so that a mistaken cycle in some package cannot make it loop.",
        "An alias is resolved to its real type before any other lookup. A program given a "
        "type by name, for example in a configuration file, should always resolve aliases "
        "first and only then compare the type with others or walk its parents.",
        "The checks for text should look at a limited number of bytes only, enough to be "
        "fairly sure, and should accept the line endings of every common platform.",
        "Programs may show the comment of the nearest known ancestor for a type they lack a "
        "comment for.",
    ),
    (
        "14. Storing the MIME type using extended attributes",
        "A program may store the MIME type of a file in the user.mime_type extended "
        "attribute, a small named value kept by the file system next to the file's data. "
        "Where the file system supports extended attributes, this is the place to record a "
        "type that a user chose by hand, or a type that was known when the file was "
        "created, for example from the Content-Type header of the download it came from.",
        "When the attribute is present, its value takes precedence over any guess made "
        "from the name or the contents of the file. A person who renamed a photograph to a "
        "name without a suffix still sees it opened as an image, because the stored type "
        "says so, and a file saved from the web keeps the type the server announced.",
        "The value is a MIME type written as plain ASCII text, in lower case, without "
        "parameters such as a character set. Programs must check that the stored value is "
        "a well formed type before trusting it, and should ignore it otherwise.",
        "Programs that copy a file should copy the attribute with it, and programs that "
        "change a file's format should update or remove it so that it does not go stale. "
        "File systems that lack extended attributes simply have no stored type, and "
        "programs then fall back to the usual checks of name and contents.",
        "Archive and backup tools differ in whether they keep such values, so a type "
        "recorded this way may be lost when a file travels between machines, and programs "
        "must be ready to do without it.",
        "Tools that list files may show the stored type beside the guessed one, which helps "
        "a person see why a program treats a file in an unexpected way.",
    ),
    (
        "15. Recommended order of checks",
        "To find the type of a regular file, a program should proceed as follows. If a "
        "type was provided explicitly, for example by the protocol the file came over, use "
        "it. Otherwise, if the file has a stored type, use that.",
        "Otherwise, match the file name against the globs. If exactly one type matches, or "
        "one match has a higher weight than the others, use it without reading the file, "
        "because reading every file in a large folder would make listing it slow.",
        "If no glob matches, or several equally good globs match, read the start of the "
        "file and try the content rules from the highest priority downwards. Among several "
        "glob candidates, prefer the one the contents confirm; if the contents confirm none "
        "of them, use the first glob candidate anyway.",
        "Programs may always check the contents as well, for example to warn the user when "
        "a file called report.pdf does not start like a PDF. They should not let content "
        "rules of low priority overrule a clear match of the name, because weak rules match "
        "many unrelated files by accident.",
        "For folders and other special objects, the checks of names and contents are "
        "skipped entirely, as described in the next section.",
        "A program that cannot read a file, for lack of permission for example, should "
        "still report the type that the name suggests and should mark the result as a "
        "guess, rather than failing to show the file at all.",
        "The amount of data read for the content check should be the extent recorded by the "
        "update tool, rounded up to whole blocks of the file system for speed.",
        "Results may be cached per file, keyed on the modification time and size, so that a "
        "folder shown twice does not cost twice the work.",
    ),
    (
        "16. Things that are not regular files",
        "A file system holds more than regular files, and a file manager needs types for "
        "those too. They use the inode media class: inode/directory for folders, "
        "inode/symlink for symbolic links that are shown as links rather than followed, and "
        "inode/chardevice, inode/blockdevice, inode/fifo and inode/socket for the special "
        "kinds of file the operating system provides.",
        "A folder that is the root of a mounted volume has the type inode/mount-point, a "
        "subclass of inode/directory, so that programs can treat it as a folder while "
        "still offering actions that only make sense for a volume, such as ejecting it.",
        "These types never come from names or contents. A program finds them by asking the "
        "operating system what kind of object a path is, and only looks at names and "
        "contents for regular files. A regular file of size zero is given the type "
        "application/x-zerosize, because an empty file cannot be told apart by contents.",
        "Symbolic links need care. A file manager usually shows the type of the target, so "
        "that a link to a picture opens as a picture, and uses inode/symlink only when the "
        "link points nowhere or when the user asked to see links as such.",
        "Network file systems may make it slow to tell what kind of object a path is. "
        "Programs may then show a provisional type based on the name and correct it later.",
        "Volumes found by tree rules keep the type inode/mount-point for their root folder; "
        "the content type found by the tree rule is reported alongside it.",
        "Programs should not read from device files or named pipes to check their contents: "
        "reading may block, or consume data meant for another program.",
        "Hidden files, whose names start with a dot on many systems, are typed like any "
        "other file. Whether to show them is a separate choice left to the program and the "
        "person.",
    ),
    (
        "17. Security considerations and closing remarks",
        "The type of a file is a hint for choosing how to show it, not a promise about what "
        "it contains. Anyone can give a file any name, and anyone who can write a file can "
        "make its first bytes look like any format. Programs must not decide whether a file "
        "is safe to run or to open from its type alone.",
        "In particular, a file must never be executed because its type says it is a script "
        "or a program. Launchers should ask the user, and should pay attention to the "
        "execute permission and to where the file came from.",
        "Do not rely on two applications getting the same type for every file. Readers "
        "built at different times may see different versions of the database, and programs "
        "may stop reading a file early to stay fast. The database makes agreement likely, "
        "not certain.",
        "This concludes the notes. For the exact syntax of every file described here, "
        "consult the freedesktop.org specification itself.",
        "Readers must treat the database and the files they test as untrusted input. "
        "Offsets and lengths must be checked against the size of the buffer, and nested "
        "rules must be limited in depth, so that a crafted package or file cannot crash the "
        "reader.",
        "Generated files in a folder writable by other users should not be trusted more "
        "than the packages in it. The search path order means that the home folder "
        "overrides the system, which is convenient but also means that a user can only fool "
        "themselves.",
        "A preview of a file is as risky as opening it. Programs that make previews should "
        "run the code that parses formats with as few rights as they can.",
        "A type reported to a remote party, for example when a file is uploaded, should be "
        "checked again by the receiver, which cannot know how the sender worked it out.",
    ),
]


def page_texts() -> list[str]:
    """The text of each page: the running header, then the section's wrapped paragraphs."""
    pages = []
    for paragraphs in SECTIONS:
        lines = [HEADER]
        for paragraph in paragraphs:
            lines += textwrap.wrap(paragraph, LINE_WIDTH)
        pages.append("\n".join(lines))
    return pages


def spec_pdf_bytes() -> bytes:
    """The PDF of ``page_texts``: one page each, every line a line of Helvetica."""
    return pdf_bytes(text_pdf(page_texts()))


if __name__ == "__main__":
    SPEC_PDF.write_bytes(spec_pdf_bytes())
    print(f"{SPEC_PDF}: {SPEC_PDF.stat().st_size:,} bytes")
