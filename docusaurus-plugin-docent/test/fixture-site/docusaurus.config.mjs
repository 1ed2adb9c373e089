export default {
  title: 'Fixture course',
  url: 'https://course.example.com',
  baseUrl: '/',
  onBrokenLinks: 'throw',
  plugins: [
    '@docusaurus/plugin-content-pages',
    // One line is all a course author adds.
    ['../../src/index.ts', { server: process.env.DOCENT_SERVER ?? 'https://docent.example.com', lang: 'en' }],
  ],
};
