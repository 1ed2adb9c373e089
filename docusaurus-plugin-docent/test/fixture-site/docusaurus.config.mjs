// A Docusaurus 3 site shaped like the ones Docent meets: published under a project path (GitHub
// Pages), trailingSlash false, version-like number prefixes, slugs, ids, a partial and a versioned doc.
export default {
  title: 'Fixture course',
  url: 'https://course.example.com',
  baseUrl: '/textbook/',
  trailingSlash: false,
  onBrokenLinks: 'throw',
  presets: [['@docusaurus/preset-classic', { docs: { sidebarPath: undefined }, blog: false, theme: {} }]],
  plugins: [
    // One line is all a course author adds (the plugin as installed: its built package).
    ['docusaurus-plugin-docent', { server: process.env.DOCENT_SERVER ?? 'https://docent.example.com', lang: 'en', exclude: ['**/*-template.md'], position: 'bottom-left', offsetX: 96 }],
  ],
};
