"""Watched words in families, written in a term language that matches how people write,
with example sentences for the on-server meaning check; the starter list rewritten.

The starter families follow published guidance on what to look for in what people
write: the Columbia suicide severity rating scale's ideation items (a wish to be dead,
thoughts of killing oneself, method, intent, plan, preparatory acts), and the warning
signs in NSPA and Samaritans guidance on suicidal content online (feeling a burden or
trapped, hopelessness, saying goodbye, giving things away, putting affairs in order,
researching means, being somewhere high); with self-harm, third-party worries,
safeguarding and eating-disorder danger signs. Each family carries its action and risk
level; clinicians edit all of it at /moderation/words.

Revision ID: 5a7c9e1b3d4f
Revises: 3e9e5869508b
Create Date: 2026-11-27 10:40:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "5a7c9e1b3d4f"
down_revision = "3e9e5869508b"
branch_labels = None
depends_on = None

OLD_STARTER_KEYS = (
    "kill myself", "killing myself", "end my life", "ending my life", "take my own life",
    "want to die", "better off dead", "better off without me", "no reason to live",
    "overdose", "end it all", "goodbye forever", "suicide", "suicidal", "self harm",
    "self-harm", "hurt myself", "cut myself", "can't go on", "hopeless", "buy now", "casino",
    "crypto investment",
)

ME = "(myself|my self)"
PILLS = ("(pills|tablets|meds|medication|paracetamol|painkillers|sleeping pills|antidepressants|"
         "sertraline|citalopram|fluoxetine|mirtazapine|amitriptyline|co codamol|codeine|tramadol|"
         "diazepam|zopiclone|propranolol|quetiapine|lithium|insulin|ibuprofen|aspirin|pregabalin|"
         "venlafaxine|nytol|sleepers)")
HIGH = "(bridge|building|roof|cliff|balcony|car park|multi storey|tower|ledge|flyover|tower block)"
THEM = "(himself|herself|themselves|themself)"
SOMEONE = ("(he|she|they|son|daughter|partner|husband|wife|boyfriend|girlfriend|ex|dad|mum|"
           "stepdad|brother|sister|friend)")
KIDS = "(me|us|my kids|the kids|my children|the children|my son|my daughter|the baby|my baby)"

# (key, title, what it covers, action, level, is_risk, kind message, terms, examples)
FAMILIES = [
    ("intent", "Suicidal thoughts with intent or a plan",
     "Saying they want to or will kill themselves, now or soon, or have a plan.",
     "hold", "high", True, "",
     ["kill+ " + ME, "top+ myself", "end+ my ... life", "end+ it all",
      "end+ it (tonight|today|now|soon|tomorrow|this week|for good)", "end+ everything",
      "take+ my own life", "take+ my life (tonight|today|now|soon)",
      "(want|wanna|going|gonna|planning|plan|ready|decided|about|trying) to take my life",
      "want+ to die", "wanna die", "(going|gonna|ready|planning|plan|decided) to die",
      "(i|im|ive|ill) ... suicidal",
      "(going|gonna|planning|plan|decided|ready) to (do it|go through with it)",
      "go+ through with it", "(tonight|today) (is|will be) the (night|day)",
      "(plan|plans|planned|planning) ... (to die|to kill myself|to end it|to end my life|my death|my suicide)",
      "kms", "kys myself", "commit+ suicide (tonight|today|soon|now)",
      "(i|im|ill) ... (commit|committing) suicide", "forgive me for what",
      "(doing|do) it (tonight|today|now) ... (goodbye|bye|sorry|love you)",
      "(take|took|taking|taken|do|did|had|have) (an)? od", "od (tonight|again|on)",
      "(i know|worked out|figured out) (how|how i would|how id|how to)"],
     ["I am going to kill myself tonight", "I have decided to end my life",
      "I've made a plan to end it", "I want to die", "I'm going to do it this weekend",
      "I've worked out how I'm going to do it", "tonight is the night I end it",
      "I'm ready to die now", "I'm going to take my own life", "I've decided I'm not going on",
      "gonna kms tonight", "this is it for me, im going to do it", "i cant do this anymore im "
      "ending it", "not going to be alive by the morning", "ive chosen the day",
      "no one can stop me this time", "i really want to die right now"]),
    ("means", "Methods and means",
     "Getting, saving or using a way to die, or looking one up.",
     "hold", "high", True, "",
     ["(saved|saving|save+|stockpil+|hoard+|collect+|stash+|kept|keeping) ... " + PILLS,
      "(took|take+|taken|swallow+|down+|neck+) ... (all|load|loads|lot|lots|handful|whole|"
      "packet|packets|box|bottle|pack|strip|too many|every) ... " + PILLS,
      "(took|take+|taken|had|did|do+) an overdose", "overdose+ (on|with) " + PILLS,
      "hang+ " + ME, "noose", "ligature", "jump+ (off|from) ... " + HIGH,
      "(jump+|step+|throw+ myself|walk+|lie+|lay) ... (in front of|under) ... "
      "(train|bus|lorry|truck|car|traffic)",
      "(slit+|cut+|slash+) my (wrists|wrist|throat)",
      "(stab+|poison+|gas+|suffocate+|electrocute+|strangle+|drown+) " + ME,
      "how (many|much) ... " + PILLS + " ... (kill|die|fatal|lethal|overdose|enough|take)",
      "(highest|tallest) (bridge|bridges|building|buildings|cliff|cliffs|car park)",
      "(lethal|fatal) dose", "(painless|quickest|quick|easiest|best|easy) (way|ways|method|methods)"
      " to (die|kill myself|end it|end my life|go)",
      "(searched|search+|googl+|look+ up|looked up|research+) ... (how to|ways to) "
      "(die|kill myself|end it|end my life|hang+|overdose)",
      "(bought|buy+|got|have) ... rope ... (hang|neck|tie)",
      "(took|taken|swallow+|had|down+) # ... " + PILLS,
      PILLS + " ... (lined up|laid out|counted out|in front of me|ready|all out)",
      "(bought|got|buy+) (blades|razor blades)", "(top|edge) of the " + HIGH,
      "(sat|sitting|stood|standing|been) (by|on|near|at) the (train)? tracks",
      "(cliff|bridge|roof) edge"],
     ["I've been saving up my tablets", "I took a whole box of paracetamol",
      "I looked up how many pills it would take", "I bought a rope to hang myself",
      "I'm going to jump off the bridge", "I've swallowed all my medication",
      "I keep looking at the train tracks", "I've got everything I need to do it",
      "I've been reading about the quickest ways to die", "I drove to the cliffs tonight",
      "took a load of pills an hour ago", "im gonna take an od", "ive got the pills ready "
      "on the side", "downed all my meds with vodka", "ive got a rope in the car",
      "sitting on the train platform waiting for the fast one", "how many paracetamol would "
      "it take", "ive stockpiled my prescriptions"]),
    ("self_harm", "Self-harm now or planned",
     "Hurting themselves on purpose, now, recently or about to.",
     "hold", "high", True, "",
     ["cut+ " + ME, "cut+ my (arm|arms|wrist|wrists|leg|legs|thigh|thighs|skin|stomach|body)",
      "cutting (again|myself)", "relapse+ ... (cutting|self harm+|sh)",
      "(burn+|hurt+|harm+|hit+|punch+|injure+|scald+|bruise+|bite+) " + ME,
      "bang+ my head", "scratch+ ... (till|until) ... (bleed+|blood)",
      "(been|started|still|again|keep|kept|want+ to|urge+ to|urges to|going to|gonna) ... "
      "self harm+", "self harm+ (again|tonight|today|last night|yesterday)",
      "(razor|razors|blade|blades) ... (arm|arms|wrist|wrists|skin|myself|legs|thighs)",
      "(cuts|wounds) ... (bleeding|stitches|infected|wont stop|deep)", "sh again",
      "(i|ive) sh", "shd", "shing",
      "(burn+|cut+|scald+|hurt+|hit+|bash+|bang+|punch+|pour+|scratch+) ... on purpose",
      "burn+ my (arm|arms|legs|leg|skin|wrist|wrists|stomach|thighs)",
      "(bang+|bash+|hit+|smash+) my head (on|against|off|into)",
      "(till|until) (it|they|i) (bled|bleed|bleeds)", "cut+ (again|deep)",
      "(deep|bad) (cut|cuts|one) ... (stitches|a&e|a and e|hospital)",
      "scratch+ my (arms|arm|legs|skin|wrists) (raw|till|until)"],
     ["I cut myself again last night", "I've been self harming", "I burned my arm on purpose",
      "the urge to hurt myself is really strong", "I hurt myself again to feel something",
      "I hit myself until I bruised", "I've started self harming again after years",
      "I need to punish myself so I hurt my body", "ive bin cutting again", "sh again last "
      "night, its bad", "burnt myself with a lighter", "my arms are covered in fresh cuts",
      "scratched myself till it bled", "hit my head against the wall over and over",
      "i relapsed and cut", "bought new blades today"]),
    ("unsafe", "Not able to stay safe",
     "Saying they cannot keep themselves safe, or are somewhere dangerous now.",
     "hold", "high", True, "",
     ["(cant|cannot|can not|not able to|unable to|struggling to|dont think i can|dont know if i can)"
      " keep (myself|me) safe",
      "not safe (from|with|around) myself", "(dont|do not) feel safe (with|around|from) myself",
      "(dont|do not|cant) trust myself", "(going to|gonna|about to) do something (stupid|silly)",
      "(standing|stood|sat|sitting|climbed|climbing|on) (on|at|over) the edge",
      "(standing|stood|sat|sitting|climbed|climbing) on (the|a) (bridge|roof|ledge|railing|"
      "railings|parapet|cliff)",
      "(on|at) the (top of the|edge of the) " + HIGH],
     ["I can't keep myself safe tonight", "I'm standing on the bridge",
      "I don't trust myself right now", "I'm scared of what I might do to myself",
      "I'm sitting on the edge of the roof", "I'm not safe on my own tonight",
      "cant promise ill be safe tonight", "im on the bridge now", "i dont think i can stop "
      "myself", "someone please come and get me im not safe"]),
    ("passive", "Wishing to be dead",
     "A wish to be dead or not to wake up, without a stated plan.",
     "flag", "medium", True, "",
     ["wish+ ... (dead|die|died|gone|not here|never born|wasnt born|wasnt here|werent here|"
      "could disappear|not alive|didnt exist|didnt wake up|not wake up)",
      "better off dead", "(dont|do not|never) want to (be here|exist|live|be alive|wake up|"
      "carry on|go on)", "(not|never|dont|didnt|did not) (wake|waking|woke) up",
      "(had|have had|ive had) enough of (everything|life|it all|living|being alive)",
      "no (point|reason) ... (living|live|going on|carrying on|being here|being alive|"
      "anymore|any more|to stay|in me)",
      "(cant|cannot) (go on|carry on|do this anymore|do this any more|keep going)",
      "(tired|sick) of (living|life|being alive|existing|waking up)",
      "want+ (it|everything|it all) to (end|stop|be over)",
      "want+ to (disappear|not exist|stop existing|be gone|sleep forever|go to sleep)",
      "(sleep|disappear|gone) forever", "suicidal",
      "think+ about (ending it|ending my life|killing myself|dying|suicide|not being here|death)",
      "(isnt|is not|not) worth living", "nothing (left)? to live for", "no will to live",
      "whats the point (anymore|any more|of (anything|living|it all|life|going on|me))",
      "ending things", "end things",
      "(rather|prefer|prefered) not (exist|to exist|be here|be alive|wake up)",
      "(wont|will not|not|dont see myself) (be|being) (here|around) (at|for|by|next) ",
      "(see|seeing) myself (being)? (here|around) (at|for|by|next)",
      "stop+ fighting", "(tired|sick) of (everything|being here|it all)",
      "(jealous|envious) of ... (died|dead|people who|those who)", "my own funeral",
      "(wouldnt|would not) mind (if|dying|not waking|being dead)",
      "(nobody|no one|noone) (will|would) find me", "never been born",
      "(kinder|better|easier) (for|to) (everyone|everybody|them) if i",
      "if anything happens to me", "(the|my) pain to end", "(bus|train|lorry|car) ... (not|wont|doesnt) stop",
      "ready to go", "(cant|cannot) face another (day|week|night)",
      "(never|not) (going to|gonna) get better", "nothing (will|is going to|is ever going to) (change|get better|help)",
      "out of options"],
     ["I wish I was dead", "I just want to go to sleep and not wake up",
      "what's the point of anything anymore", "I don't want to be here any more",
      "I'm tired of being alive", "I just want it all to stop", "I wish I'd never been born",
      "I wouldn't care if I didn't wake up tomorrow", "I'd rather not exist",
      "I hope something happens to me", "I'm jealous of people who have died",
      "I can't face another day of this", "would be easier if i just wasnt here",
      "i keep thinking everyone would be fine if i died", "i dont want to wake up tomorrow",
      "id be happy if a car hit me", "i just want to disappear for good",
      "life isnt worth it anymore", "whats even the point of me"]),
    ("hopeless", "Hopelessness, feeling trapped or a burden",
     "Feeling a burden, trapped, or that nothing will get better.",
     "flag", "medium", True, "",
     ["(im|i am|feel|feeling|felt|being|just) ... burden", "better off without me",
      "(feel|feeling|felt|so|completely|totally|utterly|just) hopeless", "hopelessness",
      "no hope (left|anymore|any more)", "(lost|given up|give up|giving up) ... hope",
      "no way out", "(cant|cannot) see (a|any) way (out|forward)", "trapped",
      "(no one|nobody|noone) (would|will|is going to) (miss|notice|care)",
      "(given|giving|give) up on (life|everything|myself)",
      "(everyone|everybody|they|family|kids) ... (better off|happier) without me",
      "cant take (it|this|any more|anymore) (anymore|any more)",
      "better off without (him|her|them)", "(theyd|they would|they will|theyll) (cope|manage)",
      "probably be relieved", "(the|my) letters are", "(everything is|everythings|all) sorted"],
     ["everyone would be better off without me", "I feel like such a burden",
      "I can't see any way out of this", "nothing is ever going to get better for me",
      "I'm a waste of space and everyone knows it", "my family would cope fine without me",
      "there's no hope left for me", "I'm done fighting", "nobody would notice if I was gone",
      "im just a drain on everyone", "ive run out of reasons to keep trying",
      "nothing i do ever makes it better", "im trapped and theres no way out",
      "theyd be relieved if i was gone"]),
    ("farewell", "Goodbyes and putting affairs in order",
     "Saying goodbye, giving things away, writing letters, sorting out affairs.",
     "flag", "high", True, "",
     ["goodbye (forever|world|cruel world|for good|for ever)", "(final|last) goodbye",
      "(this|it) (is|will be|might be) my last (post|message|day|night)",
      "my last (day|night) (on earth|alive)", "my last post",
      "(wont|will not|not going to|not gonna) need (them|it|this|my|any of)",
      "(wont|will not|not going to|not gonna) be (around|here) (much longer|for long|anymore|"
      "any more|tomorrow|next week|by)",
      "give+ away (my|all my|all of my) (things|stuff|belongings|possessions|clothes|books|"
      "jewellery|cat|dog|pets)",
      "(given|giving|gave|give) my (things|stuff|belongings|possessions|clothes) away",
      "(wrote|written|writing|write+|left|leave+) ... (letters|letter|note|notes) (to|for) "
      "(my|the|everyone|each|all)",
      "suicide (note|notes|letter)", "goodbye (letter|letters|note|notes)",
      "(sort+|put+|putting|get+|getting) ... my affairs", "my affairs in order",
      "(when|after|once) (im|i am|ive) gone", "(say+|said) (goodbye|my goodbyes) to"],
     ["this is my last post, goodbye everyone", "I've given my things away",
      "I wrote letters to my kids", "sorting my affairs out",
      "I've told my sister who should have the dog", "everything is sorted now, I feel at peace",
      "please tell my mum I'm sorry", "I won't be needing any of my things",
      "I've said my goodbyes to everyone", "I won't be around to see christmas",
      "thank you all for everything, this is goodbye", "gave my dog to my neighbour to keep",
      "ive left a note for my family", "paid off everything and tidied up, its all done",
      "this will be my last message", "look after each other when im gone"]),
    ("third_party", "Worry about someone else's safety",
     "A carer, parent or friend worried that someone may harm or kill themselves.",
     "flag", "high", True, "",
     ["kill+ " + THEM, "end+ (his|her|their) ... life", "take+ (his|her|their) own life",
      "(hurt+|harm+|cut+|burn+|hit+|starv+|overdose+|hang+) " + THEM,
      "talk+ about (suicide|killing (himself|herself|themselves)|dying|ending (it|his life|"
      "her life|their life)|not being here|not wanting to be here|wanting to die)",
      "(found|find+|finding) ... (blades|razors|noose|stash|suicide note|goodbye note|"
      "goodbye letter|cuts on|scars on|burns on)",
      "(worried|scared|terrified|afraid|frightened|worry) ... (kill+|hurt+|harm+|end+ (it|"
      "his life|her life|their life)|do something (stupid|silly)|suicide|not be here)",
      "(says|said|keeps saying|told me|tells me) ... (wants|want) to die",
      SOMEONE + " (is|has been|was) suicidal",
      "(giving|gave|give+|given) (away)? (all)? (his|her|their) (stuff|things|belongings) away",
      "sorry for everything", "hearing voices ... (hurt|kill|harm)",
      "stopped taking (his|her|their) (tablets|meds|medication)",
      "(weighs|weighing) (herself|himself|themselves)"],
     ["my son said he wants to die", "I found blades in my daughter's room",
      "I'm scared my husband will hurt himself", "my partner keeps saying we'd be better off "
      "without him", "my mum has been giving her things away", "my friend sent me a goodbye "
      "message and won't answer", "my daughter has stopped eating and is fainting",
      "my son keeps talking about not being here", "my husband has been researching ways to "
      "die", "found my teenager's cuts when doing the washing", "my mum said she's got "
      "nothing to live for", "my brother went missing after saying goodbye"]),
    ("safeguarding", "Abuse, violence and threats",
     "Someone being hurt or threatened now, a child at risk, or a threat to hurt others.",
     "hold", "high", True, "",
     [SOMEONE + " ... (hit+|beat+|punch+|kick+|strangl+|chok+|slap+|threaten+|hurt+) " + KIDS,
      "(scared|afraid|frightened|terrified) (to go|of going) home",
      "(abus+|molest+|groom+|rape+|raping|assault+) " + KIDS,
      "(going to|gonna|want to|wanna|will|ill|really) (kill|hurt|stab|attack|shoot|strangle|"
      "harm|murder) (someone|somebody|people|everyone)",
      "(shake+|shook|shaking) the baby", "(locks|locked|lock+) me (in|up)",
      "(not safe|unsafe) at home",
      "(hurt+|harm+|kill+|stab+|burn+) (all of us|us all|the house down|people)",
      "(hurt+|harm+|kill+|stab+|burn+) ... (all of us|us all|the house down)",
      "being hit", "told (her|him|them) not to tell", "wont let me (see|go|have|leave)",
      "(hands|hand) (round|around) my neck", "push+ (her|him|me|them) down",
      "(drink|drunk) driving with the kids", "(scared|afraid|frightened) (of|what) "
      "(their|my|his|her) (dad|mum|husband|partner|boyfriend|wife)",
      "(want|wanna|going|gonna) to (stab|kill|hurt) (him|her|them)", "(i know|know) where he lives",
      "(checks|takes|took) my (phone|bank card|money|cards)", "older man ... (online|messag+)"],
     ["my partner hits me", "I'm scared to go home", "I'm going to hurt someone",
      "he put his hands round my neck", "my dad threatens to hurt us all",
      "an older man online told my child to keep their chats secret",
      "he controls my money and won't let me see anyone", "the children are scared of him"]),
    ("mentions", "Mentions of self-harm, overdose or abuse",
     "Talk about self-harm, overdoses, abuse or suicide that may be past or general: "
     "flagged for a look, without showing the author crisis contacts.",
     "flag", "low", False, "",
     ["self harm+", "domestic (abuse|violence)", "(raped|sexually assaulted)",
      "suicide attempt+", "attempted suicide"],
     []),
    ("eating", "Eating-disorder danger signs",
     "Not eating for days, fainting, purging, or starving oneself.",
     "flag", "medium", True, "",
     ["(havent|have not|hasnt|has not|not|barely|didnt) eaten (in|for|since) ... "
      "(days|day|week|weeks)",
      "starv+ " + ME, "starv+ " + THEM,
      "(purg+|vomit+|being sick|make+ myself sick|making myself sick|throw+ up) after "
      "(eating|every meal|meals|food|i eat|i ate)",
      "make+ myself sick", "(faint+|pass+ out|passing out) ... (not eating|no food|"
      "havent eaten|hungry|starving|eat)",
      "(taking|take+|took|abus+) ... laxatives",
      "(scared|afraid|terrified|frightened) (to eat|of eating|of food)",
      "(binge+|binging) and (purg+|vomit+|sick)", "(wont|will not|refuses to|refusing to) eat"],
     ["I haven't eaten in four days and keep fainting", "I make myself sick after every meal",
      "I've lost so much weight my periods have stopped", "I'm terrified of eating anything",
      "I weigh myself over and over every day"]),
    ("spam", "Advertising and scams",
     "Selling things or scams: refused with a kind message.",
     "block", "low", False,
     "Sorry, your post was not published: it looks like advertising, which is not allowed "
     "here. Please see the community guidelines.",
     ["buy now", "casino", "crypto investment"],
     []),
]


def upgrade():
    op.create_table(
        "watch_families",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("is_risk", sa.Boolean(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("action IN ('flag','hold','block')",
                           name=op.f("ck_watch_families_action_known")),
        sa.CheckConstraint("level IN ('low','medium','high')",
                           name=op.f("ck_watch_families_level_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_families")),
        sa.UniqueConstraint("key", name=op.f("uq_watch_families_key")),
    )
    op.create_table(
        "watch_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("sentence", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["watch_families.id"],
                                name=op.f("fk_watch_examples_family_id_watch_families"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_watch_examples_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_examples")),
    )
    with op.batch_alter_table("watched_words", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_watched_words_family_id_watch_families"),
                                    "watch_families", ["family_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.alter_column("term", type_=sa.String(length=500),
                              existing_type=sa.String(length=100))
        batch_op.alter_column("term_key", type_=sa.String(length=500),
                              existing_type=sa.String(length=100))

    bind = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    words = sa.table("watched_words", sa.column("term", sa.String),
                     sa.column("term_key", sa.String), sa.column("action", sa.String),
                     sa.column("is_risk", sa.Boolean), sa.column("family_id", sa.Integer),
                     sa.column("created_at", sa.DateTime))
    families = sa.table("watch_families", sa.column("id", sa.Integer),
                        sa.column("key", sa.String), sa.column("title", sa.String),
                        sa.column("description", sa.String), sa.column("action", sa.String),
                        sa.column("level", sa.String), sa.column("is_risk", sa.Boolean),
                        sa.column("message", sa.String), sa.column("position", sa.Integer))
    examples = sa.table("watch_examples", sa.column("family_id", sa.Integer),
                        sa.column("sentence", sa.String), sa.column("created_at", sa.DateTime))
    # The old starter list goes; words staff added themselves stay, outside any family.
    bind.execute(words.delete().where(words.c.term_key.in_(OLD_STARTER_KEYS)))
    existing = {row[0] for row in bind.execute(sa.select(words.c.term_key))}
    for position, (key, title, description, action, level, is_risk, message, terms,
                   sentences) in enumerate(FAMILIES):
        family_id = bind.execute(families.insert().values(
            key=key, title=title, description=description, action=action, level=level,
            is_risk=is_risk, message=message, position=position
        ).returning(families.c.id)).scalar_one()
        rows = []
        for term in terms:
            term_key = " ".join(term.casefold().split())
            if term_key in existing:
                continue
            existing.add(term_key)
            rows.append({"term": term, "term_key": term_key, "action": action,
                         "is_risk": is_risk, "family_id": family_id, "created_at": now})
        if rows:
            op.bulk_insert(words, rows)
        if sentences:
            op.bulk_insert(examples, [{"family_id": family_id, "sentence": s,
                                       "created_at": now} for s in sentences])


def downgrade():
    op.execute("DELETE FROM watched_words WHERE family_id IS NOT NULL")
    with op.batch_alter_table("watched_words", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_watched_words_family_id_watch_families"),
                                 type_="foreignkey")
        batch_op.drop_column("family_id")
    op.drop_table("watch_examples")
    op.drop_table("watch_families")
